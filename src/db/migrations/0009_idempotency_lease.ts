import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Idempotency keys get a lease: a key left `pending` by a process that died is taken over by a
// retry once its lease has run out; `claim_id` tells the holder of the key from a former one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table http.idempotency_keys add column if not exists claim_id uuid`.execute(db);
  await sql`alter table http.idempotency_keys add column if not exists lease_until timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table http.idempotency_keys drop column if exists lease_until`.execute(db);
  await sql`alter table http.idempotency_keys drop column if exists claim_id`.execute(db);
}
