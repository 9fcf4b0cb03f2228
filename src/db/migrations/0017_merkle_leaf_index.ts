import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// The tree follower's cost beside the appends (docs/adr/0014-merkle-follower-cost.md): the unique
// index on es.merkle_leaves.event_id (random UUIDs: every leaf row dirtied a random index page, a
// full-page image in the WAL after each checkpoint) is replaced by an index on the event's
// position, which grows at its right edge like the log. An event's leaf is found through
// es.events (event_id -> position), then this index.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists merkle_leaves_position on es.merkle_leaves (position)`.execute(db);
  await sql`alter table es.merkle_leaves drop constraint if exists merkle_leaves_event_id_key`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table es.merkle_leaves add constraint merkle_leaves_event_id_key unique (event_id)`.execute(db);
  await sql`drop index if exists es.merkle_leaves_position`.execute(db);
}
