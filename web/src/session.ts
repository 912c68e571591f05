/**
 * The bearer token for this browser tab (sessionStorage: gone when the tab closes) — the admin
 * token or an operator's session token — who it is, and the reason the console last signed out,
 * shown on the sign-in page.
 */
const TOKEN_KEY = 'openwx.adminToken';
const WHO_KEY = 'openwx.who';

export type SignOutReason = 'expired' | 'signed_out';
export type Role = 'admin' | 'operator' | 'viewer';

/** Who is signed in: an operator account (name and role) or the admin token (every right). */
export interface Who {
  kind: 'operator' | 'admin_token';
  role: Role;
  username: string | null;
  displayName: string | null;
}

type Listener = (reason: SignOutReason) => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string, who: Who): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(WHO_KEY, JSON.stringify(who));
}

export function getWho(): Who {
  try {
    const v = JSON.parse(sessionStorage.getItem(WHO_KEY) ?? 'null') as Who | null;
    if (v && (v.role === 'admin' || v.role === 'operator' || v.role === 'viewer')) return v;
  } catch {
    // fall through: a tab from before accounts existed holds the admin token.
  }
  return { kind: 'admin_token', role: 'admin', username: null, displayName: null };
}

export function signOut(reason: SignOutReason): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(WHO_KEY);
  for (const l of listeners) l(reason);
}

export function onSignOut(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
