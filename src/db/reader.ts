import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';

/**
 * The read-only role for reporting (BI tools, SQL clients): it may SELECT the read models
 * (`read.*`) and nothing else: no other schema (`es.*` the event log, `http.*`, `projections.*`)
 * and no write anywhere. Its sessions are read-only by default too (a guard against accidents;
 * the boundary is the grants). Created or updated by `npm run db:reader`; its password is kept in
 * `DATA_DIR/reader-password` so the URL a BI tool saved stays valid.
 */
export const READER_ROLE = 'ti_ledger_reader';

export const readerPasswordFile = (dataDir: string) => join(dataDir, 'reader-password');

/** The reader's password: the one kept in DATA_DIR, or a new one (also when `rotate`). */
export function readerPassword(dataDir: string, rotate = false): string {
  const file = readerPasswordFile(dataDir);
  if (!rotate && existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Grants the reader SELECT on the read models of this database (and on those created later, by
 * migrations or a rebuild's swap). Does nothing when the role does not exist. Idempotent.
 */
export async function grantReader(db: Kysely<any>): Promise<boolean> {
  const role = await sql<{ n: number }>`select 1 as n from pg_roles where rolname = ${READER_ROLE}`.execute(db);
  if (role.rows.length === 0) return false;
  const r = sql.id(READER_ROLE);
  const database = (await sql<{ db: string }>`select current_database() as db`.execute(db)).rows[0]!.db;
  await sql`grant connect on database ${sql.id(database)} to ${r}`.execute(db);
  await sql`grant usage on schema read to ${r}`.execute(db);
  await sql`grant select on all tables in schema read to ${r}`.execute(db);
  await sql`alter default privileges in schema read grant select on tables to ${r}`.execute(db);
  return true;
}

/** Creates (or updates the password of) the reader role, then grants it the read models. */
export async function ensureReader(db: Kysely<any>, password: string): Promise<void> {
  const r = sql.id(READER_ROLE);
  // roles are cluster-wide: another database of the cluster may have created it meanwhile
  await sql
    .raw(
      `do $$ begin
         create role ${READER_ROLE} login;
       exception when duplicate_object then null;
       end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `alter role ${READER_ROLE} with login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls ` +
        `connection limit 20 password ${lit(password)}`,
    )
    .execute(db);
  await sql`alter role ${r} set default_transaction_read_only = on`.execute(db);
  await sql`alter role ${r} set search_path = read`.execute(db);
  await grantReader(db);
}

/** The reader's URL: the app's URL with the reader's name and password. */
export function readerUrl(url: string, password: string): string {
  const u = new URL(url);
  u.username = READER_ROLE;
  u.password = password;
  return u.toString();
}
