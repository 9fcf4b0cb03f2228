import { sql } from 'kysely';
import type { Db, ProjectionContext } from '../types.ts';

/**
 * The pre-aggregated figures of the as-of progress report: `read.report_deltas` (per day) and
 * `read.report_deltas_monthly` (the same deltas per calendar month), keyed by
 * (metric, region_code, axis). A figure "as of D" is the sum of its deltas dated on or before D.
 *
 * The contracts and projects projections feed it: each change of a contract's or project's
 * current version adds what the new version contributes and subtracts what the old one did;
 * each funding adds its amount. It is written in the same transaction as those projections.
 */
export type Metric =
  | 'contracts_drafted'
  | 'contracts_submitted'
  | 'contracts_validated'
  | 'contracts_rejected'
  | 'contracts_signed'
  | 'projects'
  | 'funding_cents';

export interface ContractMilestones {
  region_code: string | null;
  drafted_on: string | null;
  submitted_on: string | null;
  validated_on: string | null;
  rejected_on: string | null;
  signed_on: string | null;
}

export interface ProjectSpan {
  region_code: string | null;
  axis: string | null;
  registered_on: string | null;
  abandoned_on: string | null;
}

const SEP = '\u0000';
const later = (a: string, b: string) => (a > b ? a : b);

export class ReportDeltas {
  private readonly deltas = new Map<string, number>();

  add(metric: Metric, region: string | null, axis: string | null, day: string, delta: number): void {
    if (delta === 0) return;
    const k = `${day}${SEP}${metric}${SEP}${region ?? ''}${SEP}${axis ?? ''}`;
    this.deltas.set(k, (this.deltas.get(k) ?? 0) + delta);
  }

  /**
   * A contract counts for a milestone from the later of its drafting and that milestone (the
   * report counts current contracts drafted on or before D whose milestone is on or before D).
   */
  contract(row: ContractMilestones, sign: 1 | -1): void {
    const d = row.drafted_on;
    if (d === null) return;
    const r = row.region_code;
    this.add('contracts_drafted', r, null, d, sign);
    if (row.submitted_on !== null) this.add('contracts_submitted', r, null, later(d, row.submitted_on), sign);
    if (row.validated_on !== null) this.add('contracts_validated', r, null, later(d, row.validated_on), sign);
    if (row.rejected_on !== null) this.add('contracts_rejected', r, null, later(d, row.rejected_on), sign);
    if (row.signed_on !== null) this.add('contracts_signed', r, null, later(d, row.signed_on), sign);
  }

  /** A project counts from its registration until it is abandoned (exclusive). */
  project(row: ProjectSpan, sign: 1 | -1): void {
    const from = row.registered_on;
    if (from === null) return;
    const to = row.abandoned_on;
    if (to !== null && to <= from) return;
    this.add('projects', row.region_code, row.axis, from, sign);
    if (to !== null) this.add('projects', row.region_code, row.axis, to, -sign);
  }

  /** Adds the deltas to both tables (upserts), then drops the rows that summed to zero. */
  async flush(db: Db, ctx: ProjectionContext): Promise<void> {
    if (this.deltas.size === 0) return;
    const day: string[] = [];
    const metric: string[] = [];
    const region: string[] = [];
    const axis: string[] = [];
    const delta: string[] = [];
    const monthly = new Map<string, number>();
    for (const [k, v] of this.deltas) {
      if (v === 0) continue;
      const [d, m, r, a] = k.split(SEP) as [string, string, string, string];
      day.push(d);
      metric.push(m);
      region.push(r);
      axis.push(a);
      delta.push(String(v));
      const mk = `${d.slice(0, 8)}01${SEP}${m}${SEP}${r}${SEP}${a}`;
      monthly.set(mk, (monthly.get(mk) ?? 0) + v);
    }
    this.deltas.clear();
    await upsert(db, ctx.schema, 'report_deltas', 'day', { day, metric, region, axis, delta });
    const m = { day: [] as string[], metric: [] as string[], region: [] as string[], axis: [] as string[] };
    const mdelta: string[] = [];
    for (const [k, v] of monthly) {
      if (v === 0) continue;
      const [d, mm, r, a] = k.split(SEP) as [string, string, string, string];
      m.day.push(d);
      m.metric.push(mm);
      m.region.push(r);
      m.axis.push(a);
      mdelta.push(String(v));
    }
    await upsert(db, ctx.schema, 'report_deltas_monthly', 'month', { ...m, delta: mdelta });
  }
}

async function upsert(
  db: Db,
  schema: string,
  table: string,
  dateCol: string,
  v: { day: string[]; metric: string[]; region: string[]; axis: string[]; delta: string[] },
): Promise<void> {
  if (v.day.length === 0) return;
  const t = sql`${sql.id(schema)}.${sql.id(table)}`;
  const d = sql.id(dateCol);
  const keys = sql`unnest(${v.day}::date[], ${v.metric}::text[], ${v.region}::text[], ${v.axis}::text[])`;
  await sql`insert into ${t} as t (${d}, metric, region_code, axis, delta)
    select * from unnest(${v.day}::date[], ${v.metric}::text[], ${v.region}::text[], ${v.axis}::text[], ${v.delta}::bigint[])
    on conflict (${d}, metric, region_code, axis) do update set delta = t.delta + excluded.delta`.execute(db);
  // a figure back to zero leaves no row (the same rows whatever the batch boundaries)
  await sql`delete from ${t} t using ${keys} as k(d, m, r, a)
    where t.${d} = k.d and t.metric = k.m and t.region_code = k.r and t.axis = k.a and t.delta = 0`.execute(db);
}
