import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { plansAsOf } from '../nfi-plans/queries.ts';

/**
 * La Nouvelle France industrielle's report as of a business date (`GET /reports/nfi`), from
 * read.nfi_plans, read.nfi_plan_choices, read.nfi_roadmaps and read.nfi_usine_du_futur.
 */
export interface NfiPlanFigures {
  planId: string;
  name: string;
  status: 'in_force' | 'regrouped';
  roadmapValidatedOn: string | null;
  groupingId: string | null;
  rank1: number;
  rank2: number;
}
export interface NfiGroupingFigures {
  groupingId: string;
  name: string;
  plans: number;
  roadmapsValidated: number;
  rank1: number;
  rank2: number;
}
export interface NfiReport {
  asOf: string;
  programme: string;
  plansLaunched: number;
  plansInForce: number;
  plansWithValidatedRoadmap: number;
  /** The groupings of 2015 (Industrie du futur and the solutions) in force: 0 before the regrouping. */
  groupings: number;
  regionsMandated: number;
  regionsWithFullChoices: number;
  roadmapsSubmitted: number;
  roadmapsAccepted: number;
  roadmapsSubmittedLate: number;
  roadmapsOverdue: number;
  usineDuFuturFirms: number;
  usineDuFuturBySize: { SME: number; ETI: number };
  plans: NfiPlanFigures[];
  /** Per grouping once the plans were regrouped (empty before). */
  byGrouping: NfiGroupingFigures[];
}

export async function nfiReport(db: Kysely<Database>, asOf: string, programme: string): Promise<NfiReport> {
  const d = sql`${asOf}::date`;
  const at = sql<boolean>`valid_from <= ${d} and (valid_to is null or valid_to > ${d})`;
  const [plans, ranks, roadmaps, full, firms] = await Promise.all([
    plansAsOf(db, asOf, programme),
    sql<{ plan_id: string; rank: number; n: string }>`
      select plan_id, rank, count(*) as n from read.nfi_plan_choices
       where programme = ${programme} and status = 'chosen' and ${at}
       group by plan_id, rank`.execute(db),
    sql<{ status: string; late: boolean; overdue: boolean; n: string }>`
      select status, late, (status = 'due' and due_on < ${d}) as overdue, count(*) as n from read.nfi_roadmaps
       where programme = ${programme} and ${at}
       group by 1, 2, 3`.execute(db),
    sql<{ n: string }>`
      select count(*) as n from (
        select region_code from read.nfi_plan_choices
         where programme = ${programme} and status = 'chosen' and ${at}
         group by region_code
        having count(*) filter (where rank = 1) = 5 and count(*) filter (where rank = 2) = 5) x`.execute(db),
    sql<{ size: string; n: string }>`
      select size, count(*) as n from read.nfi_usine_du_futur
       where programme = ${programme} and selected_on <= ${d} group by size`.execute(db),
  ]);
  const rank = new Map(ranks.rows.map((r) => [`${r.plan_id}\u0000${r.rank}`, Number(r.n)]));
  const planFigures: NfiPlanFigures[] = plans.map((p) => ({
    planId: p.planId,
    name: p.name,
    status: p.status,
    roadmapValidatedOn: p.roadmapValidatedOn,
    groupingId: p.groupingId,
    rank1: rank.get(`${p.planId}\u00001`) ?? 0,
    rank2: rank.get(`${p.planId}\u00002`) ?? 0,
  }));
  const groups = new Map<string, NfiGroupingFigures>();
  for (const p of plans) {
    if (p.status !== 'regrouped' || !p.groupingId) continue;
    const g = groups.get(p.groupingId) ?? {
      groupingId: p.groupingId,
      name: p.groupingName ?? p.groupingId,
      plans: 0,
      roadmapsValidated: 0,
      rank1: 0,
      rank2: 0,
    };
    const f = planFigures.find((x) => x.planId === p.planId)!;
    g.plans++;
    if (p.roadmapValidatedOn) g.roadmapsValidated++;
    g.rank1 += f.rank1;
    g.rank2 += f.rank2;
    groups.set(p.groupingId, g);
  }
  const count = (f: (r: (typeof roadmaps.rows)[number]) => boolean) =>
    roadmaps.rows.filter(f).reduce((a, r) => a + Number(r.n), 0);
  const bySize = { SME: 0, ETI: 0 };
  for (const r of firms.rows) if (r.size === 'SME' || r.size === 'ETI') bySize[r.size] = Number(r.n);
  return {
    asOf,
    programme,
    plansLaunched: plans.length,
    plansInForce: plans.filter((p) => p.status === 'in_force').length,
    plansWithValidatedRoadmap: plans.filter((p) => p.roadmapValidatedOn !== null).length,
    groupings: groups.size,
    regionsMandated: count(() => true),
    regionsWithFullChoices: Number(full.rows[0]?.n ?? 0),
    roadmapsSubmitted: count((r) => r.status === 'submitted' || r.status === 'accepted'),
    roadmapsAccepted: count((r) => r.status === 'accepted'),
    roadmapsSubmittedLate: count((r) => (r.status === 'submitted' || r.status === 'accepted') && r.late),
    roadmapsOverdue: count((r) => r.overdue),
    usineDuFuturFirms: bySize.SME + bySize.ETI,
    usineDuFuturBySize: bySize,
    plans: planFigures,
    byGrouping: [...groups.values()].sort((a, b) => a.groupingId.localeCompare(b.groupingId)),
  };
}

/** CSV, one line per figure: `section,key,metric,value` (like the progress report's). */
export function nfiReportCsv(r: NfiReport): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['section,key,metric,value'];
  const totals: [string, number][] = [
    ['plans_launched', r.plansLaunched],
    ['plans_in_force', r.plansInForce],
    ['plans_with_validated_roadmap', r.plansWithValidatedRoadmap],
    ['groupings', r.groupings],
    ['regions_mandated', r.regionsMandated],
    ['regions_with_full_choices', r.regionsWithFullChoices],
    ['roadmaps_submitted', r.roadmapsSubmitted],
    ['roadmaps_accepted', r.roadmapsAccepted],
    ['roadmaps_submitted_late', r.roadmapsSubmittedLate],
    ['roadmaps_overdue', r.roadmapsOverdue],
    ['usine_du_futur_firms', r.usineDuFuturFirms],
    ['usine_du_futur_sme', r.usineDuFuturBySize.SME],
    ['usine_du_futur_eti', r.usineDuFuturBySize.ETI],
  ];
  for (const [m, v] of totals) lines.push(`total,,${m},${v}`);
  for (const p of r.plans) {
    lines.push(`plan,${q(p.planId)},rank1,${p.rank1}`, `plan,${q(p.planId)},rank2,${p.rank2}`);
    lines.push(`plan,${q(p.planId)},roadmap_validated,${p.roadmapValidatedOn ? 1 : 0}`);
  }
  for (const g of r.byGrouping)
    for (const [m, v] of [
      ['plans', g.plans],
      ['roadmaps_validated', g.roadmapsValidated],
      ['rank1', g.rank1],
      ['rank2', g.rank2],
    ] as const)
      lines.push(`grouping,${q(g.groupingId)},${m},${v}`);
  return lines.join('\n') + '\n';
}
