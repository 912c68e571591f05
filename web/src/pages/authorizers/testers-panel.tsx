import { useState, type FormEvent } from 'react';
import { api, post } from '../../api.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';

/** GET/POST/DELETE /api/admin/authorizers/:appid/testers (src/services/testers/routes.ts). */
interface Tester {
  userstr: string;
  wechatid: string | null;
  bound_at: string | null;
}

/** Same rule as the server (src/services/registration/registration-rules.ts checkWechatId). */
const WECHAT_ID = /^[a-zA-Z][-_a-zA-Z0-9]{5,19}$/;

/** The mini program's testers (体验者): who may open its trial version. */
export function TestersPanel(props: { appid: string }) {
  const t = useT(messages);
  const base = `/api/admin/authorizers/${props.appid}/testers`;
  const list = useApi(() => api<{ items: Tester[] }>('GET', base), [base]);
  const [wechatid, setWechatid] = useState('');
  const [local, setLocal] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();

  async function bind(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setDone(undefined);
    const id = wechatid.trim();
    if (!WECHAT_ID.test(id)) {
      setLocal(t('testerWechatidRule'));
      return;
    }
    setLocal(undefined);
    try {
      await post<Tester>(base, { wechatid: id });
      setWechatid('');
      setDone(t('testerBound', { wechatid: id }));
      await list.reload();
    } catch (err) {
      setError(err);
    }
  }

  async function unbind(userstr: string) {
    setError(undefined);
    setDone(undefined);
    try {
      await api('DELETE', `${base}/${encodeURIComponent(userstr)}`);
      await list.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="card" data-testid="testers">
      <h2>{t('testers')}</h2>
      <p className="help">{t('testersHelp')}</p>
      <Loaded state={list}>
        {(data) =>
          data.items.length === 0 ? (
            <p className="muted">{t('testersNone')}</p>
          ) : (
            <ul className="compact">
              {data.items.map((x) => (
                <li key={x.userstr} data-userstr={x.userstr}>
                  {x.wechatid ? (
                    <code>{x.wechatid}</code>
                  ) : (
                    <span className="muted">{t('testerUnknown')}</span>
                  )}
                  {x.bound_at ? (
                    <>
                      {' · '}
                      <RelativeTime at={x.bound_at} absolute={false} />
                    </>
                  ) : null}{' '}
                  <ConfirmButton
                    question={t('testerUnbindQuestion')}
                    onConfirm={() => unbind(x.userstr)}
                  >
                    {t('testerUnbind')}
                  </ConfirmButton>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <form onSubmit={(e) => void bind(e)} noValidate>
        <label htmlFor="tester-wechatid">{t('testerWechatid')}</label>
        <input
          id="tester-wechatid"
          value={wechatid}
          onChange={(e) => setWechatid(e.target.value)}
          aria-describedby="wechatid-error"
          autoComplete="off"
        />
        <FieldError field="wechatid" error={error} local={local} />
        <button type="submit">{t('testerBind')}</button>
      </form>
      {done ? (
        <p className="notice ok" role="status">
          {done}
        </p>
      ) : null}
      <FormError error={error} fields={['wechatid']} />
    </section>
  );
}
