import { preparePgliteTemplate, preparePostgresTemplate, POSTGRES_URL } from './databases.ts';
import { redactUrl } from './suite-postgres.ts';

/** Runs once before the suite: migrated templates for PGlite and PostgreSQL. */
await preparePgliteTemplate();
try {
  await preparePostgresTemplate();
} catch (err) {
  process.stderr.write(
    `PostgreSQL is not reachable at ${redactUrl(POSTGRES_URL)}: ${(err as Error).message}\n` +
      'The suite runs every store test on PostgreSQL too. `npm test` finds or starts one (see ' +
      'README, "Tests"); a test file run on its own uses DATABASE_URL, else 127.0.0.1:5432.\n',
  );
  process.exit(1);
}
