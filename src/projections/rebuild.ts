import { grantReader } from '../db/reader.ts';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '../db/database.ts';
import type { EventRegistry } from '../domain/registry.ts';
import type { EventStore } from '../eventstore/types.ts';
import { ProjectionRunner } from './runner.ts';
import { LIVE_SCHEMA, SHADOW_SCHEMA } from './schema.ts';
import type { Projection } from './types.ts';

/**
 * Blue/green rebuild of every read model: replay the whole log into the shadow schema
 * `read_next` while the API keeps serving `read`, then swap the two schemas and reset the live
 * checkpoint in one transaction. A rebuild killed midway resumes from its own checkpoint (its
 * writes and checkpoint commit together), unless asked to start afresh.
 */
export interface RebuildDeps {
  db: Kysely<Database>;
  pool: pg.Pool;
  store: EventStore;
  registry: EventRegistry;
  projections: Projection[];
}

export const REBUILD_NAME = 'rebuild';

/** Read-model tables and the order that makes their checksum deterministic. */
export const READ_TABLES: Record<string, string> = {
  territories: 'programme, territory_id, valid_from',
  territory_epcis: 'programme, territory_id, siren, valid_from',
  territory_streams: 'stream',
  regions: 'region_code, valid_from',
  contracts: 'contract_id, valid_from',
  contract_commitments: 'contract_id, commitment_id, valid_from',
  contract_decisions: 'position',
  projects: 'project_id, valid_from',
  project_fundings: 'position',
  audit_log: 'position',
  report_deltas: 'day, metric, region_code, axis',
  report_deltas_monthly: 'month, metric, region_code, axis',
  applications: 'programme, application_id, valid_from',
  nfi_plans: 'plan_id, valid_from',
  nfi_plan_choices: 'region_code, plan_id, valid_from',
  nfi_roadmaps: 'region_code, valid_from',
  nfi_usine_du_futur: 'position',
  poles: 'pole_id',
  pole_labels: 'pole_id, position',
  pole_category_changes: 'pole_id, position',
  pole_evaluations: 'pole_id, campaign',
  pole_contracts: 'contract_id',
  pole_contract_decisions: 'position',
  pole_contract_commitments: 'contract_id, commitment_id',
  pole_contract_objectives: 'contract_id, objective_id',
  pole_contract_reviews: 'contract_id, position',
  fui_calls: 'call_number',
  fui_projects: 'project_id',
  fui_project_cofundings: 'project_id, region_code',
  fui_project_impacts: 'project_id, position',
};

export interface Checksum {
  table: string;
  rows: number;
  md5: string;
}

/** md5 over the md5 of every row's text, in key order: equal checksums, equal tables. */
export async function checksums(db: Kysely<Database>, schema: string = LIVE_SCHEMA): Promise<Checksum[]> {
  const out: Checksum[] = [];
  for (const [table, order] of Object.entries(READ_TABLES)) {
    const r = await sql<{ n: string; md5: string | null }>`
      select count(*) as n, md5(string_agg(md5(t::text), '' order by ${sql.raw(order)})) as md5
        from ${sql.id(schema)}.${sql.id(table)} t`.execute(db);
    out.push({ table, rows: Number(r.rows[0]?.n ?? 0), md5: r.rows[0]?.md5 ?? md5Empty });
  }
  return out;
}
const md5Empty = 'd41d8cd98f00b204e9800998ecf8427e';

async function schemaExists(db: Kysely<Database>, schema: string): Promise<boolean> {
  const r = await sql<{
    ok: boolean;
  }>`select exists (select 1 from pg_namespace where nspname = ${schema}) as ok`.execute(db);
  return r.rows[0]?.ok === true;
}

/**
 * Fact tables: rows only ever appended, one per event at most, keyed by log position. A rebuild
 * fills them without their primary key (no upsert needs it; each batch commits with its
 * checkpoint, so a resumed rebuild never writes a row twice) and builds the key once filled.
 */
export const FACT_TABLES: ReadonlySet<string> = new Set([
  'audit_log',
  'contract_decisions',
  'project_fundings',
  'nfi_usine_du_futur',
]);

/** The live schema's primary keys and unique constraints, as `alter table ... add constraint` clauses. */
async function liveConstraints(db: Kysely<Database>) {
  const r = await sql<{ table: string; name: string; def: string }>`
    select c.relname as table, k.conname as name, pg_get_constraintdef(k.oid) as def
      from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${LIVE_SCHEMA} and k.contype in ('p', 'u')`.execute(db);
  return r.rows;
}

/**
 * Creates the shadow schema with the live schema's tables (columns, defaults, primary keys but
 * those of `FACT_TABLES`) and views. Secondary indexes are built once filled (`finishShadow`): bulk
 * builds beat maintaining them row by row.
 */
export async function createShadow(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`drop schema if exists ${sql.id(SHADOW_SCHEMA)} cascade`.execute(trx);
    await sql`create schema ${sql.id(SHADOW_SCHEMA)}`.execute(trx);
    const tables = await sql<{ tablename: string }>`
      select tablename from pg_tables where schemaname = ${LIVE_SCHEMA} order by tablename`.execute(trx);
    for (const { tablename } of tables.rows)
      await sql`create table ${sql.id(SHADOW_SCHEMA)}.${sql.id(tablename)}
        (like ${sql.id(LIVE_SCHEMA)}.${sql.id(tablename)} including all excluding indexes)`.execute(trx);
    for (const pk of (await liveConstraints(trx)).filter((k) => !FACT_TABLES.has(k.table)))
      await sql`alter table ${sql.id(SHADOW_SCHEMA)}.${sql.id(pk.table)} add constraint ${sql.id(pk.name)} ${sql.raw(pk.def)}`.execute(
        trx,
      );
    // reference data (not produced by events)
    await sql`insert into ${sql.id(SHADOW_SCHEMA)}.regions select * from ${sql.id(LIVE_SCHEMA)}.regions where position = 0`.execute(
      trx,
    );
    await sql`select projections.create_read_views(${SHADOW_SCHEMA})`.execute(trx);
    await trx.deleteFrom('projections.checkpoints').where('name', '=', REBUILD_NAME).execute();
  });
}

/** Builds the live schema's secondary indexes (same names) on the filled shadow tables. */
export async function finishShadow(db: Kysely<Database>): Promise<void> {
  const defs = await sql<{ def: string }>`
    select i.indexdef as def from pg_indexes i
     where i.schemaname = ${LIVE_SCHEMA}
       and not exists (select 1 from pg_constraint k join pg_namespace n on n.oid = k.connamespace
                        where n.nspname = ${LIVE_SCHEMA} and k.conname = i.indexname)`.execute(db);
  const tables = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = ${SHADOW_SCHEMA}`.execute(db);
  // per table: its indexes, then statistics (and the visibility map of the report tables, so as-of
  // reports get index-only scans right after the swap); tables side by side on FINISH_PARALLEL
  // connections (nothing else runs now: the builds may use the machine's cores)
  const constraints = await liveConstraints(db);
  const present = await sql<{ name: string }>`
    select k.conname as name from pg_constraint k join pg_namespace n on n.oid = k.connamespace
     where n.nspname = ${SHADOW_SCHEMA}`.execute(db);
  const have = new Set(present.rows.map((r) => r.name));
  const work = tables.rows.map(({ tablename }) => async () => {
    // the fact tables' keys (a resumed finish finds some built already)
    for (const k of constraints)
      if (k.table === tablename && FACT_TABLES.has(tablename) && !have.has(k.name))
        await sql`alter table ${sql.id(SHADOW_SCHEMA)}.${sql.id(tablename)} add constraint ${sql.id(k.name)} ${sql.raw(k.def)}`.execute(
          db,
        );
    for (const { def } of defs.rows) {
      if (!def.includes(` ON ${LIVE_SCHEMA}.${tablename} `)) continue;
      const shadow = def
        .replace(/^CREATE (UNIQUE )?INDEX /, (_m, u: string | undefined) => `CREATE ${u ?? ''}INDEX IF NOT EXISTS `)
        .replace(` ON ${LIVE_SCHEMA}.`, ` ON ${SHADOW_SCHEMA}.`);
      await sql.raw(shadow).execute(db);
    }
    // the report tables are read by index-only scans right after the swap: their visibility map
    // is set now; the others only need statistics (autovacuum sets their map later)
    if (REPORT_TABLES.has(tablename))
      await sql`vacuum analyze ${sql.id(SHADOW_SCHEMA)}.${sql.id(tablename)}`.execute(db);
    else await sql`analyze ${sql.id(SHADOW_SCHEMA)}.${sql.id(tablename)}`.execute(db);
  });
  // largest tables first, so the last one to finish is a small one
  const size = await sql<{ relname: string; pages: number }>`
    select c.relname, pg_relation_size(c.oid)::float8 as pages from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${SHADOW_SCHEMA} and c.relkind = 'r'`.execute(db);
  const pages = new Map(size.rows.map((r) => [r.relname, r.pages]));
  const order = tables.rows
    .map((t, i) => ({ i, pages: pages.get(t.tablename) ?? 0 }))
    .sort((a, b) => b.pages - a.pages)
    .map((x) => work[x.i]!);
  const next = () => order.shift();
  await Promise.all(
    Array.from({ length: FINISH_PARALLEL }, async () => {
      for (let w = next(); w; w = next()) await w();
    }),
  );
}
const FINISH_PARALLEL = 2;
const REPORT_TABLES: ReadonlySet<string> = new Set([
  'report_deltas',
  'report_deltas_monthly',
  'territories',
  'territory_epcis',
  'regions',
]);

export interface RebuildProgress {
  applied: number;
  total: number;
  elapsedMs: number;
}

export interface RebuildResult {
  events: number;
  elapsedMs: number;
  resumed: boolean;
  checkpoint: string | undefined;
}

/**
 * About how many events lie after the checkpoint, for the progress bar's ETA only: the distance
 * between positions (two index lookups; positions skipped by rolled-back appends count too), not
 * a count(*) that would scan the log beside the rebuild.
 */
async function estimateEvents(deps: RebuildDeps, after: string | undefined): Promise<number> {
  if (deps.store.backend !== 'postgres') return 0;
  const pos = after ? after.split('/')[1]! : '0';
  const r = await deps.pool.query<{ n: string | null }>(
    'select (select max(position) from es.events) - greatest($1::bigint, (select min(position) - 1 from es.events)) as n',
    [pos],
  );
  return Math.max(0, Number(r.rows[0]?.n ?? 0));
}

/**
 * Fills the shadow schema up to the head of the log (resuming when a previous rebuild was cut),
 * then swaps it in. `swap: false` stops after filling (tests, checks).
 */
export async function rebuild(
  deps: RebuildDeps,
  opts: {
    fresh?: boolean;
    swap?: boolean;
    batchSize?: number;
    onProgress?: (p: RebuildProgress) => void;
  } = {},
): Promise<RebuildResult> {
  const started = Date.now();
  const runner = new ProjectionRunner({
    store: deps.store,
    db: deps.db,
    pool: deps.pool,
    registry: deps.registry,
    projections: deps.projections,
    name: REBUILD_NAME,
    schema: SHADOW_SCHEMA,
    batchSize: opts.batchSize ?? 4000,
    // a rebuild's batches need not wait for the WAL flush: a crash loses at most the last
    // batches, which the resumed rebuild applies again (writes and checkpoint commit together);
    // the swap commits with the session's own setting
    asyncCommit: true,
  });
  if (!(await runner.acquireLock())) {
    await runner.releaseLock();
    throw new Error('another rebuild is running');
  }
  try {
    let resumed = false;
    const existing = await runner.readCheckpoint();
    if (opts.fresh || !(await schemaExists(deps.db, SHADOW_SCHEMA)) || existing === undefined) {
      await createShadow(deps.db);
    } else resumed = true;
    runner.checkpoint = await runner.readCheckpoint();
    // the estimate is only for the progress ETA
    let total = 0;
    const counted = estimateEvents(deps, runner.checkpoint).then(
      (n) => (total = n),
      () => 0,
    );
    let events = 0;
    // catch up, then again for what arrived meanwhile, until nothing is left
    for (;;) {
      const n = await runner.catchUp({
        onProgress: (p) => opts.onProgress?.({ applied: events + p.applied, total, elapsedMs: Date.now() - started }),
      });
      events += n;
      if (n === 0) break;
    }
    await counted;
    await finishShadow(deps.db);
    if (opts.swap !== false) await swap(deps.db, runner.checkpoint);
    return { events, elapsedMs: Date.now() - started, resumed, checkpoint: runner.checkpoint };
  } finally {
    await runner.releaseLock();
  }
}

/**
 * One transaction: lock the live checkpoint row (waits for a live batch in flight; the live
 * runner notices the moved checkpoint and resumes from it), rename `read` away and `read_next`
 * in, and set the live checkpoint to the rebuild's. Then drop the old schema.
 */
export async function swap(db: Kysely<Database>, checkpoint: string | undefined, liveName = 'main'): Promise<void> {
  const old = `${LIVE_SCHEMA}_old`;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('projections.checkpoints')
      .values({ name: liveName, checkpoint: null, position: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    await trx.selectFrom('projections.checkpoints').select('name').where('name', '=', liveName).forUpdate().execute();
    const rb = await trx
      .selectFrom('projections.checkpoints')
      .select(['position', 'events_applied'])
      .where('name', '=', REBUILD_NAME)
      .executeTakeFirst();
    await sql`drop schema if exists ${sql.id(old)} cascade`.execute(trx);
    await sql`alter schema ${sql.id(LIVE_SCHEMA)} rename to ${sql.id(old)}`.execute(trx);
    await sql`alter schema ${sql.id(SHADOW_SCHEMA)} rename to ${sql.id(LIVE_SCHEMA)}`.execute(trx);
    // the reporting role's grants were on the old schema's tables: give them on the new ones
    await grantReader(trx);
    await trx
      .updateTable('projections.checkpoints')
      .set({
        checkpoint: checkpoint ?? null,
        position: rb?.position ?? null,
        events_applied: rb?.events_applied ?? '0',
        updated_at: sql`now()`,
      })
      .where('name', '=', liveName)
      .execute();
    await trx.deleteFrom('projections.checkpoints').where('name', '=', REBUILD_NAME).execute();
  });
  await sql`drop schema if exists ${sql.id(old)} cascade`.execute(db);
}
