/**
 * Security headers on every answer, by path. Everything is refused to frames (frame-ancestors
 * 'none', and X-Frame-Options for older browsers), content types are not sniffed, and no page
 * sends a Referer (a return URL carries an auth_code) except the authorization start page:
 * WeChat opens its authorization page only when the Referer names the platform's domain, so
 * that page sends its origin (never its path, which holds the link token).
 */

/** JSON answers and anything else that is not a page: nothing may load or run. */
export const API_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** openwx's own small pages (start page, return page): one inline style sheet, no script. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The console (React, built by Vite): scripts and styles from its own files only (no inline
 * script), QR codes as data: and blob: images, API calls to openwx itself.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Swagger UI at /docs: its scripts are files, but it sets style attributes and injects style
 * elements, so styles may be inline; its logo is a data: image.
 */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** The headers for an answer to `url` (a request's path, with or without its query). */
export function securityHeaders(url: string): Record<string, string> {
  const path = url.split('?', 1)[0] ?? '';
  const headers: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
  // The sandbox's emulator plays WeChat's own pages: no policy of openwx's beyond frames.
  if (under(path, '/emulator'))
    return { ...headers, 'content-security-policy': "frame-ancestors 'none'" };
  if (under(path, '/console'))
    return { ...headers, 'content-security-policy': CONSOLE_CSP, 'referrer-policy': 'no-referrer' };
  if (under(path, '/docs'))
    return { ...headers, 'content-security-policy': DOCS_CSP, 'referrer-policy': 'no-referrer' };
  if (under(path, '/authorize'))
    return { ...headers, 'content-security-policy': PAGE_CSP, 'referrer-policy': 'origin' };
  if (path === '/api/openwx/authorized')
    return { ...headers, 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer' };
  return { ...headers, 'content-security-policy': API_CSP, 'referrer-policy': 'no-referrer' };
}
