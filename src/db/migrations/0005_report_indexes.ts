import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// A covering index for the as-of progress report: contract milestones read from the current rows
// with an index-only scan.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists contracts_milestones_idx on read.contracts (drafted_on)
    include (region_code, submitted_on, validated_on, rejected_on, signed_on) where valid_to is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists read.contracts_milestones_idx`.execute(db);
}
