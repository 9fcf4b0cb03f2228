import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

/** The national plans as of a business date (read.nfi_plans). */
export interface PlanAsOf {
  planId: string;
  name: string;
  launchedOn: string;
  status: 'in_force' | 'regrouped';
  leads: { name: string; organisation: string; synthetic?: boolean }[];
  leadsAppointedOn: string | null;
  roadmapValidatedOn: string | null;
  groupingId: string | null;
  groupingName: string | null;
  synthetic: boolean;
}

export async function plansAsOf(db: Kysely<Database>, asOf: string, programme: string): Promise<PlanAsOf[]> {
  const rows = await db
    .selectFrom('read.nfi_plans')
    .selectAll()
    .where('programme', '=', programme)
    .where(sql<boolean>`valid_from <= ${asOf}::date and (valid_to is null or valid_to > ${asOf}::date)`)
    .orderBy('plan_id')
    .execute();
  return rows.map((r) => ({
    planId: r.plan_id,
    name: r.name,
    launchedOn: r.launched_on,
    status: r.status as PlanAsOf['status'],
    leads: (typeof r.leads === 'string' ? JSON.parse(r.leads) : r.leads) as PlanAsOf['leads'],
    leadsAppointedOn: r.leads_appointed_on,
    roadmapValidatedOn: r.roadmap_validated_on,
    groupingId: r.grouping_id,
    groupingName: r.grouping_name,
    synthetic: r.synthetic,
  }));
}
