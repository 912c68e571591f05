import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ConsoleInfo } from './api-types.ts';
import { Layout, PageHeader } from './components/layout.tsx';
import { Empty } from './components/states.tsx';
import { LangContext, storedLang, storeLang, useT, type Lang } from './i18n.ts';
import { common } from './messages.ts';
import { SignInPage } from './pages/sign-in/index.tsx';
import { matchPath, useLocation } from './router.tsx';
import { routes } from './routes.tsx';
import { api } from './api.ts';
import { getToken, getWho, onSignOut, signOut, type SignOutReason } from './session.ts';

function NotFound() {
  const t = useT(common);
  return (
    <>
      <PageHeader title={t('notFound')} />
      <Empty />
    </>
  );
}

function Pages(props: { sandbox: boolean; onSignOut: () => void }) {
  const { path } = useLocation();
  const who = getWho();
  const visible = routes.filter(
    (r) => (!r.sandbox || props.sandbox) && (!r.roles || r.roles.includes(who.role)),
  );
  let found: { Page: (typeof routes)[number]['page']; params: Record<string, string> } | undefined;
  for (const r of visible) {
    const params = matchPath(r.path, path);
    if (params) {
      found = { Page: r.page, params };
      break;
    }
  }
  return (
    <Layout nav={visible} who={who} sandbox={props.sandbox} onSignOut={props.onSignOut}>
      {found ? <found.Page key={path} params={found.params} /> : <NotFound />}
    </Layout>
  );
}

export function App() {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((l: Lang) => {
    storeLang(l);
    setLangState(l);
  }, []);
  const langValue = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  const [reason, setReason] = useState<SignOutReason | undefined>();
  const [info, setInfo] = useState<ConsoleInfo | undefined>();

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  useEffect(
    () =>
      onSignOut((why) => {
        setReason(why);
        setSignedIn(false);
      }),
    [],
  );
  useEffect(() => {
    fetch('/console/info.json')
      .then((r) => (r.ok ? (r.json() as Promise<ConsoleInfo>) : undefined))
      .then(setInfo)
      .catch(() => setInfo(undefined));
  }, []);

  const sandbox = info?.mode === 'sandbox';
  return (
    <LangContext.Provider value={langValue}>
      {signedIn ? (
        <Pages
          sandbox={sandbox}
          onSignOut={() => {
            // An operator's session ends on the server too; the admin token stays valid.
            const token = getToken();
            if (token && getWho().kind === 'operator')
              void api('DELETE', '/api/session', { token }).catch(() => {});
            signOut('signed_out');
          }}
        />
      ) : (
        <SignInPage
          sandbox={sandbox}
          accounts={info?.accounts ?? false}
          reason={reason}
          onSignedIn={() => {
            setReason(undefined);
            setSignedIn(true);
          }}
        />
      )}
    </LangContext.Provider>
  );
}
