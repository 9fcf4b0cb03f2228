import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists projections`.execute(db);
  await sql`create schema if not exists read`.execute(db);

  await db.schema
    .withSchema('projections')
    .createTable('checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('checkpoint', 'text')
    .addColumn('position', 'bigint')
    .addColumn('events_applied', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .withSchema('projections')
    .createTable('dead_letters')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('projection', 'text', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('checkpoint', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('parked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('replayed_at', 'timestamptz')
    .addUniqueConstraint('dead_letters_projection_event_key', ['projection', 'event_id'])
    .execute();

  // Territories as they stood over business time: one row per version, [valid_from, valid_to).
  await db.schema
    .withSchema('read')
    .createTable('territories')
    .addColumn('territory_id', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'date', (c) => c.notNull())
    .addColumn('valid_to', 'date')
    .addColumn('programme', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('labelled_on', 'date', (c) => c.notNull())
    .addColumn('epci_count', 'integer', (c) => c.notNull())
    .addColumn('industrial_co_lead', 'text')
    .addColumn('elected_co_lead', 'text')
    .addColumn('split_from', 'text')
    .addColumn('synthetic', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('territories_pkey', ['territory_id', 'valid_from'])
    .execute();
  await sql`create index territories_asof_idx on read.territories (valid_from, valid_to) include (region_code, status)`.execute(
    db,
  );
  await sql`create index territories_current_idx on read.territories (territory_id) where valid_to is null`.execute(db);

  await db.schema
    .withSchema('read')
    .createTable('territory_epcis')
    .addColumn('territory_id', 'text', (c) => c.notNull())
    .addColumn('siren', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'date', (c) => c.notNull())
    .addColumn('valid_to', 'date')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('nature', 'text')
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('territory_epcis_pkey', ['territory_id', 'siren', 'valid_from'])
    .execute();
  await sql`create index territory_epcis_asof_idx on read.territory_epcis (valid_from, valid_to) include (siren)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema read cascade`.execute(db);
  await sql`drop schema projections cascade`.execute(db);
}
