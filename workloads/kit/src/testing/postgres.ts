// Test-only: a fresh database per test file on the real PostgreSQL that
// workloads/scripts/with-postgres.sh started (PAYGRID_TEST_DATABASE_URL is its admin URL).
// Uses psql, so the kit itself needs no database driver.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function adminUrl(): string {
  const url = process.env.PAYGRID_TEST_DATABASE_URL;
  if (!url)
    throw new Error(
      'PAYGRID_TEST_DATABASE_URL is not set: run these tests with `make test-workloads` (it starts PostgreSQL)',
    );
  return url;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function psql(url: string, sql: string): Promise<string> {
  const { stdout } = await run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql]);
  return stdout;
}

export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await psql(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** One SQL statement's rows as text (psql -At), for assertions independent of the code under test. */
export async function queryText(url: string, sql: string): Promise<string> {
  return (await psql(url, sql)).trim();
}
