import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Idempotency keys of the command API: the first answer to (principal, key) is stored and replayed.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists http`.execute(db);
  await sql`
    create table http.idempotency_keys (
      principal_sub text not null,
      key text not null,
      method text not null,
      route text not null,
      body_hash text not null,
      status_code int,
      response_body jsonb,
      response_headers jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      completed_at timestamptz,
      expires_at timestamptz not null,
      primary key (principal_sub, key)
    )`.execute(db);
  await sql`create index idempotency_keys_expires_idx on http.idempotency_keys (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists http.idempotency_keys`.execute(db);
}
