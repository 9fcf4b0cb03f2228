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
 * updates that day's version in place. A change dated before the open version's start (a fact
 * recorded late, "back-dated") is, by the table's `backDated` rule:
 * - `clamp` (default): applied to the open version (for aggregates whose decide refuses dates
 *   that go backwards, where it never happens);
 * - `insert`: inserted into history where its business date falls: the version holding D is split
 *   at D (or, if it starts on D, changed in place) and the change is applied to that version and
 *   to every later one, so that every version is the fold of the facts dated on or before its
 *   start (docs/read-models.md "Back-dated facts"). The patch must then be a function of the
 *   version it changes (it is applied to each). A date before the entity's first version is
 *   clamped to it. The closed versions it needs are read by `loadBackDated` before the fold.
 * A recorded event is a fact: it is never refused.
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

export interface VersionedOptions {
  /** What a change dated before the open version's start does (see above); default `clamp`. */
  backDated?: 'clamp' | 'insert';
}

export class VersionedTable<R extends VersionedRow> {
  private readonly open = new Map<string, R>();
  /**
   * `insert` tables: the closed versions of each entity (oldest first) that a back-dated change
   * may reach: those read by `loadBackDated`, then those this batch closed.
   */
  private readonly closed = new Map<string, R[]>();
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
    private readonly options: VersionedOptions = {},
  ) {
    this.schema = ctx.schema;
    if (options.backDated === 'insert' && keyCols.length !== 1)
      throw new Error(`${table}: back-dated inserts need a table keyed by one column`);
  }

  private get inserts(): boolean {
    return this.options.backDated === 'insert';
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

  /**
   * `insert` tables, after `load` and before the fold: reads the closed versions that the batch's
   * back-dated changes reach. `changes` are the (first key column, business date) of the batch's
   * changes; only an entity loaded open whose open version starts after one of its dates needs
   * its history (one query for all of them; none in the usual batch, where no date goes back).
   */
  async loadBackDated(db: Db, changes: Iterable<{ id: string; date: string }>): Promise<void> {
    if (!this.inserts) return;
    const first = this.keyCols[0]!;
    // the open versions read by `load` (one per entity here: the tables using `insert` have one key column)
    const starts = new Map<string, string>();
    for (const [k, r] of this.open)
      if (this.persisted.has(`${k}\u0001${r.valid_from}`)) starts.set(String(r[first]), r.valid_from);
    const since = new Map<string, string>();
    for (const c of changes) {
      const start = starts.get(c.id);
      if (start === undefined || c.date >= start) continue;
      const s = since.get(c.id);
      if (s === undefined || c.date < s) since.set(c.id, c.date);
    }
    if (since.size === 0) return;
    const rows = await sql<R>`select t.* from ${ident(this.schema)}.${ident(this.table)} t
      join unnest(${[...since.keys()]}::text[], ${[...since.values()]}::date[]) as b(id, since)
        on t.${ident(first)} = b.id and t.valid_to is not null and t.valid_to > b.since
      order by t.valid_from`.execute(db);
    for (const r of rows.rows) {
      const row = { ...r, position: String(r.position) } as R;
      const k = this.keyOf(row);
      if (this.closed.get(k)?.some((x) => x.valid_from === row.valid_from)) continue;
      let list = this.closed.get(k);
      if (!list) this.closed.set(k, (list = []));
      list.push(row);
      this.persisted.add(`${k}\u0001${row.valid_from}`);
    }
    for (const list of this.closed.values()) list.sort((a, b) => (a.valid_from < b.valid_from ? -1 : 1));
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
    if (date < cur.valid_from && this.inserts) return this.insertBackDated(k, cur, date, position, patch);
    const p = typeof patch === 'function' ? patch(cur) : patch;
    const from = date > cur.valid_from ? date : cur.valid_from;
    let next: R;
    if (from === cur.valid_from) {
      next = { ...cur, ...p, position };
    } else {
      const closed = { ...cur, valid_to: from };
      this.touched.set(`${k}\u0001${cur.valid_from}`, closed);
      if (this.inserts) this.closedOf(k).push(closed);
      next = { ...cur, ...p, valid_from: from, valid_to: null, position };
    }
    this.open.set(k, next);
    this.touched.set(`${k}\u0001${from}`, next);
    this.observer?.(cur, next);
    return next;
  }

  private closedOf(k: string): R[] {
    let list = this.closed.get(k);
    if (!list) this.closed.set(k, (list = []));
    return list;
  }

  /**
   * A change dated before the open version's start (`insert` tables): splits the version holding
   * `date` and applies the patch to it and to every later version, the open one last.
   */
  private insertBackDated(
    k: string,
    cur: R,
    date: string,
    position: string,
    patch: Partial<R> | ((cur: R) => Partial<R>),
  ): R {
    const apply = (v: R): R => ({ ...v, ...(typeof patch === 'function' ? patch(v) : patch), position });
    const closed = this.closedOf(k);
    const versions = [...closed, cur];
    // the version holding the date; before the first version: the first one (clamped)
    let i = versions.length - 1;
    while (i > 0 && versions[i]!.valid_from > date) i--;
    const held = versions[i]!;
    const from = date > held.valid_from ? date : held.valid_from;
    const out: R[] = versions.slice(0, i);
    if (from === held.valid_from) {
      out.push(apply(held));
    } else {
      out.push({ ...held, valid_to: from });
      out.push(apply({ ...held, valid_from: from }));
    }
    for (const v of versions.slice(i + 1)) out.push(apply(v));
    for (const v of out.slice(i)) this.touched.set(`${k}\u0001${v.valid_from}`, v);
    const next = out.pop()!;
    this.closed.set(k, out);
    this.open.set(k, next);
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
