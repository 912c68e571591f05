import type { ReactNode } from 'react';
import { get, post } from '../../api.ts';
import type { PlatformSettings } from '../../api-types.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { MaskedSecret } from '../../components/masked-secret.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';

function Row(props: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="setting" data-setting={props.id}>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function Value(props: { id: string; label: string; value: string }) {
  return (
    <Row id={props.id} label={props.label}>
      <code className="value">{props.value}</code>{' '}
      <CopyButton value={props.value} label={props.label} />
    </Row>
  );
}

/** The values for the WeChat Open Platform console, each with a copy button. */
export function PlatformSettingsPage() {
  const t = useT(messages);
  const state = useApi(() => get<PlatformSettings>('/api/admin/platform-settings'), []);
  return (
    <>
      <PageHeader title={t('title')} />
      <Loaded state={state}>
        {(s) => (
          <>
            <p className={s.ticket.seen ? 'notice ok' : 'notice warning'} data-testid="ticket-seen">
              {s.ticket.seen ? t('ticketSeen') : t('ticketNotSeen')}
              {s.ticket.receivedAt ? (
                <>
                  {' '}
                  {t('lastTicket')}: <RelativeTime at={s.ticket.receivedAt} />
                </>
              ) : null}
            </p>
            <p className="help">{t('intro')}</p>
            <dl className="card settings">
              <Value id="componentAppid" label={t('componentAppid')} value={s.componentAppid} />
              <Value id="authDomain" label={t('authDomain')} value={s.authDomain} />
              <Value id="authEventUrl" label={t('authEventUrl')} value={s.authEventUrl} />
              <Value id="messageUrl" label={t('messageUrl')} value={s.messageUrl} />
              <Value id="token" label={t('token')} value={s.token} />
              <Row id="aesKey" label={t('aesKey')}>
                <MaskedSecret
                  label={t('aesKey')}
                  masked={s.aesKeyMasked}
                  reveal={async () =>
                    (await post<{ aesKey: string }>('/api/admin/platform-settings/reveal-aes-key'))
                      .aesKey
                  }
                />
                <p className="help">{t('revealNote')}</p>
              </Row>
              <Value
                id="serverDomains"
                label={t('serverDomains')}
                value={s.serverDomains.join(';')}
              />
              <Value
                id="webviewDomains"
                label={t('webviewDomains')}
                value={s.webviewDomains.join(';')}
              />
            </dl>
          </>
        )}
      </Loaded>
    </>
  );
}
