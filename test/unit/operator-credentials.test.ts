import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hashPassword,
  passwordProblem,
  verifyPassword,
} from '../../src/services/operators/password.ts';
import { permits, requiredRole } from '../../src/services/operators/roles.ts';
import {
  base32Decode,
  base32Encode,
  hotp,
  matchTotp,
  otpauthUri,
  totpCode,
} from '../../src/services/operators/totp.ts';

test('passwords: scrypt hashes verify, differ per salt, and refuse other passwords and forms', async () => {
  const cheap = { logN: 10, r: 8, p: 1 };
  const a = await hashPassword('correct horse battery', cheap);
  const b = await hashPassword('correct horse battery', cheap);
  assert.match(a, /^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batter', a), false);
  assert.equal(await verifyPassword('correct horse battery', 'plain'), false);
  assert.equal(await verifyPassword('x', 'scrypt$40$8$1$AAAA$AAAA'), false);
  // The default cost is memory-hard (2^15 × 8 × 128 bytes = 32 MiB).
  assert.match(await hashPassword('another password'), /^scrypt\$15\$8\$1\$/);
});

test('passwords: too short, too long and equal to the username are refused with their bounds', () => {
  assert.deepEqual(passwordProblem('short', 'ann'), { reason: 'too_short', min: 12, max: 256 });
  assert.equal(passwordProblem('x'.repeat(257), 'ann')?.reason, 'too_long');
  assert.equal(passwordProblem('Ann.Lovelace', 'ann.lovelace')?.reason, 'same_as_username');
  assert.equal(passwordProblem('twelve chars', 'ann'), undefined);
});

test('TOTP: RFC 4226 and RFC 6238 reference values', () => {
  // RFC 4226 appendix D: secret "12345678901234567890", counters 0..9.
  const secret = Buffer.from('12345678901234567890');
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922'];
  expected.forEach((code, counter) => assert.equal(hotp(secret, counter), code));
  // RFC 6238 appendix B (SHA-1, 8 digits) at T = 59 s and 1111111109 s.
  assert.equal(hotp(secret, Math.floor(59 / 30), 8), '94287082');
  assert.equal(hotp(secret, Math.floor(1111111109 / 30), 8), '07081804');
  const b32 = base32Encode(secret);
  assert.equal(b32, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  assert.deepEqual(base32Decode(b32), secret);
  assert.equal(totpCode(b32, 59_000), '287082');
});

test('TOTP: the current, previous and next steps match; others and malformed codes do not', () => {
  const b32 = base32Encode(Buffer.from('12345678901234567890'));
  const now = 1_800_000_000_000;
  const step = Math.floor(now / 30_000);
  assert.equal(matchTotp(b32, totpCode(b32, now), now), step);
  assert.equal(matchTotp(b32, totpCode(b32, now - 30_000), now), step - 1);
  assert.equal(matchTotp(b32, totpCode(b32, now + 30_000), now), step + 1);
  assert.equal(matchTotp(b32, totpCode(b32, now - 90_000), now), undefined);
  assert.equal(matchTotp(b32, '12345', now), undefined);
  assert.equal(matchTotp(b32, 'abcdef', now), undefined);
  assert.match(otpauthUri(b32, 'ann'), /^otpauth:\/\/totp\/openwx:ann\?secret=GEZD.*&period=30$/);
});

test('roles: viewers read, operators act on mini programs and rollouts, admins do the rest', () => {
  assert.equal(permits('viewer', 'GET', '/api/admin/tenants'), true);
  assert.equal(permits('viewer', 'POST', '/api/admin/rollouts'), false);
  assert.equal(permits('viewer', 'PUT', '/api/session/password'), true);
  assert.equal(permits('operator', 'POST', '/api/admin/rollouts/:id/release'), true);
  assert.equal(permits('operator', 'POST', '/api/admin/authorizers/:appid/code'), true);
  assert.equal(permits('operator', 'PUT', '/api/admin/templates/default'), true);
  assert.equal(permits('operator', 'POST', '/api/admin/tenants'), false);
  assert.equal(permits('operator', 'POST', '/api/admin/webhooks'), false);
  assert.equal(permits('operator', 'GET', '/api/admin/operators'), false);
  assert.equal(permits('operator', 'POST', '/api/proxy/:appid/*'), false);
  assert.equal(requiredRole('POST', '/api/admin/platform-settings/reveal-aes-key'), 'admin');
  // Raw access tokens are secrets: reading them is not a viewer's or an operator's read.
  assert.equal(requiredRole('GET', '/api/tokens/authorizers/:appid'), 'admin');
  assert.equal(permits('operator', 'GET', '/api/tokens/component'), false);
  assert.equal(permits('admin', 'DELETE', '/api/admin/tenants/:id/keys/:keyId'), true);
});
