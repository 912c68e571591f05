import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

/**
 * A small router over the History API: the console lives under /console, and every deep link
 * (/console/authorizers/wx…) is served index.html by openwx.
 */
export const BASE = '/console';

const listeners = new Set<() => void>();

/** The path inside the console ('/', '/settings', ...). */
export function currentPath(): string {
  const p = window.location.pathname;
  const inner = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  return inner === '' ? '/' : inner;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = `${BASE}${to === '/' ? '/' : to}`;
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

/** The current console path and query, re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return { path: currentPath(), search: new URLSearchParams(window.location.search) };
}

/** Matches '/authorizers/:appid' against a path; the params, or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const seg = a[i] as string;
    const val = b[i] as string;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(val);
    else if (seg !== val) return undefined;
  }
  return params;
}

export function Link(props: {
  to: string;
  children: ReactNode;
  className?: string;
  title?: string;
  onClick?: () => void;
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    props.onClick?.();
    navigate(props.to);
  };
  return (
    <a
      href={`${BASE}${props.to}`}
      className={props.className}
      title={props.title}
      onClick={onClick}
      aria-current={currentPath() === props.to ? 'page' : undefined}
    >
      {props.children}
    </a>
  );
}
