import { useState, type ReactNode } from 'react';
import { Link } from '../router.tsx';
import { useLang, useT } from '../i18n.ts';
import { common } from '../messages.ts';
import type { RouteDef } from '../routes.tsx';
import type { Who } from '../session.ts';

/** The frame of every page: header with the menu (folds into a button on phones), banner, main. */
export function SandboxBanner() {
  const t = useT(common);
  return (
    <div className="sandbox-banner" role="note" data-testid="sandbox-banner">
      {t('sandboxBanner')}
    </div>
  );
}

export function LangToggle() {
  const t = useT(common);
  const { lang, setLang } = useLang();
  return (
    <button
      type="button"
      className="link-button"
      onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
    >
      {t('language')}
    </button>
  );
}

/** Who is signed in (name and role, a link to their account), or "admin token". */
function WhoLink(props: { who: Who }) {
  const t = useT(common);
  const { who } = props;
  const label = (
    <>
      {who.kind === 'operator' ? (who.displayName ?? who.username) : t('adminToken')}
      <span className="role-badge" data-testid="role">
        {t(`role_${who.role}`)}
      </span>
    </>
  );
  return (
    <span className="who" data-testid="who">
      {who.kind === 'operator' ? <Link to="/account">{label}</Link> : label}
    </span>
  );
}

export function Layout(props: {
  nav: RouteDef[];
  who: Who;
  sandbox: boolean;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const t = useT(common);
  const { lang } = useLang();
  const [open, setOpen] = useState(false);
  return (
    <div className="app">
      <header className="topbar">
        {/* The product's name alone keeps the header on one line; the full name is the title. */}
        <Link to="/" className="brand" aria-label={t('appName')}>
          openwx
        </Link>
        <button
          type="button"
          className="menu-button"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen(!open)}
        >
          {t('menu')}
        </button>
        <nav id="main-nav" className={open ? 'nav open' : 'nav'}>
          {props.nav.map((r) =>
            r.nav ? (
              <Link key={r.path} to={r.path} onClick={() => setOpen(false)}>
                {r.nav[lang]}
              </Link>
            ) : null,
          )}
          <span className="nav-tools">
            <WhoLink who={props.who} />
            <LangToggle />
            <button type="button" className="link-button" onClick={props.onSignOut}>
              {t('signOut')}
            </button>
          </span>
        </nav>
      </header>
      {props.sandbox ? <SandboxBanner /> : null}
      <main className="content">{props.children}</main>
    </div>
  );
}

/** A page's title and optional actions. */
export function PageHeader(props: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{props.title}</h1>
      {props.children ? <div className="actions">{props.children}</div> : null}
    </div>
  );
}
