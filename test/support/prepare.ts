import { preparePgliteTemplate, preparePostgresTemplate, POSTGRES_URL } from './databases.ts';

/** Runs once before the suite: migrated templates for PGlite and PostgreSQL. */
await preparePgliteTemplate();
try {
  await preparePostgresTemplate();
} catch (err) {
  process.stderr.write(
    `PostgreSQL is not reachable at ${POSTGRES_URL.replace(/\/\/[^@/]*@/, '//***@')}: ${(err as Error).message}\n` +
      'The suite runs every store test on PostgreSQL too: start it (see README, "Tests") or set DATABASE_URL.\n',
  );
  process.exit(1);
}
