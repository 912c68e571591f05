import { createHash, randomBytes } from 'node:crypto';
import { createOpenwx, type Openwx } from '../src/app/create.ts';
import { loadConfig } from '../src/config/config.ts';
import { createSealer, parseMasterKey } from '../src/crypto/seal.ts';
import { createAuthorizerQueries } from '../src/store/queries/authorizers.ts';
import { createTokenQueries } from '../src/store/queries/tokens.ts';
import { runChild, type RowCounts } from './lib/protocol.ts';

/**
 * openwx as `serve` builds it (live mode, from the environment the bench sets), in its own
 * process. Before the load starts it stores a valid (fake) component token, as a running platform
 * has: otherwise every stored ticket makes the token service look for one in the database and
 * try WeChat (a dead local port), which is start-up behaviour, not the steady state measured.
 */
async function seedComponentToken(openwx: Openwx): Promise<boolean> {
  const { config, db } = openwx;
  const token = `bench_${randomBytes(24).toString('hex')}`;
  const sealer = createSealer(parseMasterKey(config.masterKey));
  await createTokenQueries(db).save({
    key: 'component',
    kind: 'component',
    appid: config.component.appid,
    tokenSealed: sealer.seal(token, 'token:component'),
    tokenHash: createHash('sha256').update(token).digest('hex'),
    expiresAt: new Date(Date.now() + 2 * 3600_000),
    refreshedAt: new Date(),
  });
  // Only counts as seeded if the token service hands it out (same key and sealing as ours).
  const issued = await openwx.tokens.getComponentToken().catch(() => undefined);
  return issued?.access_token === token;
}

/**
 * The authorizer the message pushes are for, with its original id (user_name) as
 * api_get_authorizer_info leaves it: a running platform knows it, and checks each push's
 * ToUserName against it from memory. Without it every push would look the authorizer up again.
 */
async function seedAuthorizer(openwx: Openwx): Promise<boolean> {
  const appid = process.env['BENCH_AUTHORIZER_APPID'];
  const userName = process.env['BENCH_AUTHORIZER_USER_NAME'];
  if (!appid || !userName) return false;
  const q = createAuthorizerQueries(openwx.db);
  const at = new Date();
  await q.upsertAuthorized({ appid, refreshTokenSealed: null, funcInfo: [1], at });
  await q.updateInfo(appid, { user_name: userName }, at);
  return (await q.findUserName(appid)) === userName;
}

async function rows(openwx: Openwx): Promise<RowCounts> {
  const res = await openwx.db.query<{ source: string; n: number }>(
    `SELECT source, count(*)::int AS n FROM events GROUP BY source
     UNION ALL SELECT 'tickets', count(*)::int FROM tickets`,
  );
  const get = (s: string) => res.rows.find((r) => r.source === s)?.n ?? 0;
  return { auth: get('auth'), message: get('message'), tickets: get('tickets') };
}

await runChild(async () => {
  const openwx = await createOpenwx(loadConfig(process.env));
  const url = await openwx.listen();
  // With DATABASE_URL the database is connected and migrated after listen().
  await openwx.whenReady();
  const seeded = await seedComponentToken(openwx);
  const authorizer = await seedAuthorizer(openwx);
  return {
    url,
    info: {
      db: openwx.db.kind,
      mode: openwx.config.mode,
      componentTokenSeeded: seeded,
      authorizerSeeded: authorizer,
    },
    rows: () => rows(openwx),
    stop: () => openwx.stop(),
  };
});
