import { sql } from 'kysely';
import type { Db, ProjectionContext } from './types.ts';

/**
 * Set-based writes for read models versioned over business time.
 *
 * A batch loads the open (latest) rows of the ids it touches in one query, folds its events in
 * memory, then writes every row it created or closed in one `insert ... on conflict do update`
 * (one typed array parameter per column through `unnest`).
 * The result is the same as applying the events one by one: a change dated D closes the open
 * version (valid_to = D) and opens a new one (valid_from = D); a second change on the same day
 * updates that day's version in place; a date before the open version's start is clamped to it
 * (a recorded event is a fact: it is never refused).
 */
export interface VersionedRow {
  valid_from: string;
  valid_to: string | null;
  position: string;
}

const ident = (s: string) => sql.id(s);

/** Column types of a table, read once per process (for typed `unnest` arrays). */
const typeCache = new Map<string, Map<string, string>>();
async function columnTypes(db: Db, schema: string, table: string): Promise<Map<string, string>> {
  const key = `${schema}.${table}`;
  const hit = typeCache.get(key);
  if (hit) return hit;
  const r = await sql<{ name: string; type: string }>`
    select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
     where attrelid = ${key}::regclass and attnum > 0 and not attisdropped`.execute(db);
  const m = new Map(r.rows.map((x) => [x.name, x.type]));
  typeCache.set(key, m);
  return m;
}

/** Below this many upserts, one `unnest` statement beats staging through COPY (four statements). */
const STAGE_MIN_ROWS = 500;

/**
 * Writes rows into `<schema>.<table>`. With COPY available (the runner's batch path): facts are
 * copied straight in; upserts are copied into a temporary staging table, then inserted with the
 * conflict clause (small sets: see below). Otherwise one `insert ... select * from unnest($1::t1[], ...)` (one typed
 * array parameter per column).
 */
async function insertRows(
  db: Db,
  ctx: ProjectionContext,
  table: string,
  rows: readonly object[],
  conflict: ReturnType<typeof sql>,
  upsert: boolean,
): Promise<void> {
  if (rows.length === 0) return;
  const { schema } = ctx;
  const types = await columnTypes(db, schema, table);
  const cols = Object.keys(rows[0]!);
  for (const c of cols) if (!types.has(c)) throw new Error(`${schema}.${table} has no column ${c}`);
  const target = sql`${ident(schema)}.${ident(table)}`;
  const colList = sql.join(cols.map(ident));
  if (ctx.copy && !upsert) {
    await ctx.copy(`"${schema}"."${table}"`, cols, rows);
    return;
  }
  if (ctx.copy && rows.length >= STAGE_MIN_ROWS) {
    const stage = `ti_stage_${table}`;
    await sql`create temp table if not exists ${ident(stage)} (like ${target} including defaults) on commit delete rows`.execute(
      db,
    );
    await ctx.copy(`"${stage}"`, cols, rows);
    await sql`insert into ${target} (${colList}) select ${colList} from ${ident(stage)} ${conflict}`.execute(db);
    await sql`truncate ${ident(stage)}`.execute(db);
    return;
  }
  const arrays = cols.map((c) => {
    // jsonb values as JSON text: an array or object inside the array parameter would otherwise be
    // taken for a nested SQL array (rows loaded back from the table hold them parsed)
    const json = types.get(c) === 'jsonb';
    const values = rows.map((r) => {
      const v = (r as Record<string, unknown>)[c] ?? null;
      return json && v !== null && typeof v !== 'string' ? JSON.stringify(v) : v;
    });
    return sql`${values}::${sql.raw(types.get(c)!)}[]`;
  });
  await sql`insert into ${target} (${colList}) select * from unnest(${sql.join(arrays)}) ${conflict}`.execute(db);
}

export class VersionedTable<R extends VersionedRow> {
  private readonly open = new Map<string, R>();
  private readonly touched = new Map<string, R>();
  /** Versions (touched keys) that exist in the table: loaded open rows. Every other version is new. */
  private readonly persisted = new Set<string>();

  private readonly schema: string;
  /** Called whenever the open version of an entity changes (`before` undefined: created). */
  private observer: ((before: R | undefined, after: R) => void) | undefined;

  constructor(
    private readonly ctx: ProjectionContext,
    private readonly table: string,
    /** Key columns without valid_from; the first one is used to load open rows. */
    private readonly keyCols: readonly (keyof R & string)[],
    /** Every column of the table, in any order (all are written). */
    private readonly columns: readonly (keyof R & string)[],
  ) {
    this.schema = ctx.schema;
  }

  /** Sees every change of an open version (for pre-aggregated projections such as report deltas). */
  observe(fn: (before: R | undefined, after: R) => void): this {
    this.observer = fn;
    return this;
  }

  private keyOf(row: Partial<R>): string {
    return this.keyCols.map((c) => String(row[c])).join('\u0000');
  }

  /** Loads the open rows whose first key column is one of `ids` (those not loaded yet). */
  async load(db: Db, ids: Iterable<string>): Promise<void> {
    const list = [...new Set(ids)];
    if (list.length === 0) return;
    const rows = await sql<R>`select * from ${ident(this.schema)}.${ident(this.table)}
      where valid_to is null and ${ident(this.keyCols[0]!)} = any(${list}::text[])`.execute(db);
    for (const r of rows.rows) {
      const k = this.keyOf(r);
      if (this.open.has(k)) continue;
      this.open.set(k, { ...r, position: String(r.position) });
      // this version is in the table: a change to it is an update
      this.persisted.add(`${k}\u0001${r.valid_from}`);
    }
  }

  get(key: Partial<R>): R | undefined {
    return this.open.get(this.keyOf(key));
  }

  /** All open rows (loaded or created) whose first key column equals `id`. */
  openOf(id: string): R[] {
    const out: R[] = [];
    for (const r of this.open.values()) if (String(r[this.keyCols[0]!]) === id) out.push(r);
    return out;
  }

  /** A new entity; ignored when one with that key is already open (a repeated creation). */
  create(row: R): boolean {
    const k = this.keyOf(row);
    if (this.open.has(k)) return false;
    this.open.set(k, row);
    this.touched.set(`${k}\u0001${row.valid_from}`, row);
    this.observer?.(undefined, row);
    return true;
  }

  /** A change dated `date`; ignored when the entity is not known (not created yet). */
  change(key: Partial<R>, date: string, position: string, patch: Partial<R> | ((cur: R) => Partial<R>)): R | undefined {
    const k = this.keyOf(key);
    const cur = this.open.get(k);
    if (!cur) return undefined;
    const p = typeof patch === 'function' ? patch(cur) : patch;
    const from = date > cur.valid_from ? date : cur.valid_from;
    let next: R;
    if (from === cur.valid_from) {
      next = { ...cur, ...p, position };
    } else {
      this.touched.set(`${k}\u0001${cur.valid_from}`, { ...cur, valid_to: from });
      next = { ...cur, ...p, valid_from: from, valid_to: null, position };
    }
    this.open.set(k, next);
    this.touched.set(`${k}\u0001${from}`, next);
    this.observer?.(cur, next);
    return next;
  }

  /**
   * Writes every created, changed or closed version. With COPY (the runner's batch path), the
   * versions this batch created are copied straight in (none can exist: an entity's versions
   * before its open one all start earlier, and a creation only happens when no version is open),
   * and only the loaded versions it changed or closed are upserted; otherwise one upsert.
   */
  async flush(db: Db): Promise<number> {
    const ctx = this.ctx;
    if (this.touched.size === 0) return 0;
    const all = [...this.touched];
    this.touched.clear();
    const pk = [...this.keyCols, 'valid_from'];
    const updates = this.columns.filter((c) => !pk.includes(c));
    const conflict = sql`on conflict (${sql.join(pk.map(ident))}) do update set ${sql.join(
      updates.map((c) => sql`${ident(c)} = excluded.${ident(c)}`),
    )}`;
    if (ctx.copy) {
      const fresh: R[] = [];
      const existing: R[] = [];
      for (const [k, r] of all) (this.persisted.has(k) ? existing : fresh).push(r);
      await insertRows(db, ctx, this.table, fresh, conflict, false);
      await insertRows(db, ctx, this.table, existing, conflict, true);
    } else {
      await insertRows(
        db,
        ctx,
        this.table,
        all.map(([, r]) => r),
        conflict,
        true,
      );
    }
    return all.length;
  }
}

/**
 * Appends immutable rows (facts: decisions, fundings, audit entries) keyed by log position. The
 * conflict clause names no target: it holds with the primary key on (position) and also while a
 * rebuild fills a fact table whose key it builds only once filled (`FACT_TABLES`).
 */
export async function insertFacts(db: Db, ctx: ProjectionContext, table: string, rows: object[]): Promise<void> {
  await insertRows(db, ctx, table, rows, sql`on conflict do nothing`, false);
}

export const maxDate = (a: string, b: string) => (a > b ? a : b);
