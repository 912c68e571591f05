import { useState } from 'react';
import { ApiError, control } from '../../api.ts';
import type { EmulatorMerchant } from '../../api-types.ts';
import { Empty, Loaded } from '../../components/states.tsx';
import { useAction } from '../../use-action.ts';
import { useApi } from '../../use-api.ts';
import { ActionError, Note, SaidError, type T } from './parts.tsx';

/**
 * WeChat's people, played from the console: the legal person who confirms (or refuses) a
 * registration, and the reviewers of ICP filings (face verification, filing), verifications and
 * name or category reviews. Each decision goes through the emulator's control API, which pushes
 * the result to openwx as WeChat would.
 */
interface RegistrationTask {
  id: string;
  kind: string;
  state: string;
  data: Record<string, unknown>;
}

type Step = 'face' | 'filing' | 'verification' | 'reviews';

/** A decision that finds nothing waiting (409) is said in the operator's language. */
async function decide(path: string, body: unknown, step: Step): Promise<void> {
  try {
    await control(path, body);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409)
      throw new SaidError((t) => t(`nothing_${step}`), err);
    throw err;
  }
}

function Registrations(props: { t: T }) {
  const { t } = props;
  const state = useApi(() => control<{ registrations: RegistrationTask[] }>('/registrations'), []);
  const a = useAction();
  const act = (task: RegistrationTask, result: 'legal_person_confirmed' | 'rejected') =>
    a.run(async () => {
      await control(`/registrations/${task.id}`, { result });
      void state.reload();
      return t(result === 'rejected' ? 'registrationRejected' : 'registrationConfirmed', {
        id: task.id,
      });
    });
  return (
    <div data-testid="registrations">
      <h3>{t('registrationsTitle')}</h3>
      <Loaded state={state}>
        {(d) => {
          const pending = d.registrations.filter((r) => r.state === 'pending');
          return pending.length ? (
            <ul className="compact">
              {pending.map((r) => (
                <li key={r.id} data-task={r.id}>
                  {t(`kind_${r.kind}` as 'kind_enterprise')} ·{' '}
                  {String(r.data['name'] ?? r.data['enterprise_name'] ?? '')} · <code>{r.id}</code>{' '}
                  <button
                    type="button"
                    className="small primary"
                    disabled={a.busy}
                    onClick={() => void act(r, 'legal_person_confirmed')}
                  >
                    {t('legalPersonConfirm')}
                  </button>{' '}
                  <button
                    type="button"
                    className="small danger"
                    disabled={a.busy}
                    onClick={() => void act(r, 'rejected')}
                  >
                    {t('legalPersonReject')}
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>{t('noRegistrations')}</Empty>
          );
        }}
      </Loaded>
      <Note text={a.note} />
      <ActionError t={t} error={a.error} />
    </div>
  );
}

function Reviews(props: { t: T; miniPrograms: EmulatorMerchant[] }) {
  const { t } = props;
  const [appid, setAppid] = useState('');
  const chosen = appid || props.miniPrograms[0]?.appid || '';
  const icp = useApi(
    () =>
      chosen ? control<{ info: { status: number } }>(`/icp/${chosen}`) : Promise.resolve(undefined),
    [chosen],
  );
  const a = useAction();
  const run = (step: Step, result: 'approved' | 'rejected') =>
    a.run(async () => {
      const reason = result === 'rejected' ? { reason: t('rejectedInSandbox') } : {};
      if (step === 'face' || step === 'filing')
        await decide(`/icp/${chosen}`, { step, result, ...reason }, step);
      else
        await decide(
          `/${step === 'verification' ? 'verifications' : 'reviews'}/${chosen}`,
          { result, ...reason },
          step,
        );
      void icp.reload();
      return t(result === 'approved' ? 'stepApproved' : 'stepRejected', {
        step: t(`step_${step}`),
      });
    });
  return (
    <div data-testid="reviews">
      <h3>{t('reviewsTitle')}</h3>
      {props.miniPrograms.length === 0 ? (
        <Empty>{t('noMiniPrograms')}</Empty>
      ) : (
        <>
          <label htmlFor="review-appid">{t('miniProgram')}</label>
          <select id="review-appid" value={chosen} onChange={(e) => setAppid(e.target.value)}>
            {props.miniPrograms.map((m) => (
              <option key={m.appid} value={m.appid}>
                {m.nickname} · {m.appid}
              </option>
            ))}
          </select>
          {icp.data ? (
            <p className="help" data-testid="icp-status" data-status={icp.data.info.status}>
              {t('icpStatus', { status: icp.data.info.status })}
            </p>
          ) : null}
          <ul className="compact">
            {(['face', 'filing', 'verification', 'reviews'] as const).map((step) => (
              <li key={step} data-step={step}>
                {t(`step_${step}`)}{' '}
                <button
                  type="button"
                  className="small primary"
                  disabled={a.busy}
                  onClick={() => void run(step, 'approved')}
                >
                  {t('approve')}
                </button>{' '}
                <button
                  type="button"
                  className="small danger"
                  disabled={a.busy}
                  onClick={() => void run(step, 'rejected')}
                >
                  {t('reject')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <Note text={a.note} />
      <ActionError t={t} error={a.error} />
    </div>
  );
}

export function Decisions(props: { t: T; merchants: EmulatorMerchant[] }) {
  const { t } = props;
  return (
    <section className="card" data-testid="decisions">
      <h2>{t('decisionsTitle')}</h2>
      <p className="help">{t('decisionsIntro')}</p>
      <Registrations t={t} />
      <Reviews t={t} miniPrograms={props.merchants.filter((m) => m.type === 'miniprogram')} />
    </section>
  );
}
