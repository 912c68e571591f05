import { useState, type FormEvent } from 'react';
import { control } from '../../api.ts';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Empty, Loaded } from '../../components/states.tsx';
import { useAction } from '../../use-action.ts';
import { useApi } from '../../use-api.ts';
import { Note, type T } from './parts.tsx';

interface Draft {
  draft_id: number;
  user_version: string;
  user_desc: string;
  create_time: number;
}

/**
 * The draft box filled as WeChat DevTools or miniprogram-ci would (an upload from the template
 * development mini program): POST /emulator/control/drafts. openwx then makes templates of the
 * drafts (Templates page) and releases them.
 */
export function Drafts(props: { t: T }) {
  const { t } = props;
  const [version, setVersion] = useState('');
  const [description, setDescription] = useState('');
  const [local, setLocal] = useState<string | undefined>();
  const a = useAction();
  const drafts = useApi(() => control<{ drafts: Draft[] }>('/drafts'), []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!version.trim()) return setLocal(t('versionMissing'));
    setLocal(undefined);
    void a.run(async () => {
      const d = await control<Draft>('/drafts', {
        user_version: version.trim(),
        user_desc: description.trim(),
      });
      setVersion('');
      setDescription('');
      void drafts.reload();
      return t('draftUploaded', { draft_id: d.draft_id, version: d.user_version });
    });
  };
  return (
    <section className="card" data-testid="drafts">
      <h2>{t('draftsTitle')}</h2>
      <p className="help">{t('draftsIntro')}</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor="draft-version">{t('draftVersion')}</label>
        <input
          id="draft-version"
          value={version}
          maxLength={64}
          placeholder="1.0.0"
          aria-describedby={local ? 'user_version-error' : undefined}
          onChange={(e) => setVersion(e.target.value)}
        />
        <FieldError field="user_version" local={local} />
        <label htmlFor="draft-description">{t('draftDescription')}</label>
        <textarea
          id="draft-description"
          value={description}
          maxLength={500}
          rows={2}
          onChange={(e) => setDescription(e.target.value)}
        />
        <button type="submit" disabled={a.busy}>
          {t('uploadDraft')}
        </button>
      </form>
      <Note text={a.note} />
      <FormError error={a.error} fields={[]} />
      <h3>{t('draftBox')}</h3>
      <Loaded state={drafts}>
        {(d) =>
          d.drafts.length ? (
            <ul className="compact" data-testid="draft-list">
              {[...d.drafts].reverse().map((x) => (
                <li key={x.draft_id}>
                  #{x.draft_id} · {t('version')} {x.user_version}
                  {x.user_desc ? ` · ${x.user_desc}` : ''} ·{' '}
                  <RelativeTime
                    at={new Date(x.create_time * 1000).toISOString()}
                    absolute={false}
                  />
                </li>
              ))}
            </ul>
          ) : (
            <Empty>{t('noDrafts')}</Empty>
          )
        }
      </Loaded>
    </section>
  );
}
