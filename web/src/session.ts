/**
 * The admin token for this browser tab (sessionStorage: gone when the tab closes), and the
 * reason the console last signed out, shown on the sign-in page.
 */
const TOKEN_KEY = 'openwx.adminToken';

export type SignOutReason = 'expired' | 'signed_out';

type Listener = (reason: SignOutReason) => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function signOut(reason: SignOutReason): void {
  sessionStorage.removeItem(TOKEN_KEY);
  for (const l of listeners) l(reason);
}

export function onSignOut(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
