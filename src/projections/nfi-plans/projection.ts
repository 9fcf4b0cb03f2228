import type { NfiPlansTable } from '../../db/database.ts';
import type { PlansEventOf } from '../../domain/nouvelle-france-industrielle/plans/plans.ts';
import { categoryOf, idOf } from '../../eventstore/streams.ts';
import type { Db, Projection, ProjectedEvent, ProjectionContext } from '../types.ts';
import { VersionedTable } from '../versioned.ts';

/**
 * read.nfi_plans: La Nouvelle France industrielle's national plans, one row per version over
 * business time (name, national project heads, roadmap validation, the grouping of 2015).
 */
type PlansEventType = PlansEventOf<any>['type'];
type Data<T extends PlansEventType> = PlansEventOf<T>['data'];

type PlanRow = { [K in keyof NfiPlansTable]: K extends 'position' ? string : NfiPlansTable[K] };

const COLUMNS: (keyof PlanRow)[] = [
  'plan_id',
  'valid_from',
  'valid_to',
  'programme',
  'name',
  'launched_on',
  'leads',
  'leads_appointed_on',
  'roadmap_validated_on',
  'status',
  'grouping_id',
  'grouping_name',
  'synthetic',
  'position',
];

export const NFI_PLANS_EVENT_TYPES = [
  'PlanLaunched',
  'PlanLeadAppointed',
  'PlanRenamed',
  'PlanRoadmapValidated',
  'PlansRegrouped',
] as const satisfies readonly PlansEventType[];

/** The plans' stream is `plans-<programme>` (ADR 0012). */
const programmeOf = (e: ProjectedEvent) =>
  categoryOf(e.recorded.stream) === 'plans' ? idOf(e.recorded.stream) : 'nouvelle-france-industrielle-2013';

const planIds = (e: ProjectedEvent): string[] =>
  e.type === 'PlansRegrouped'
    ? (e.data as Data<'PlansRegrouped'>).groupings.flatMap((g) => g.plans)
    : [String(e.data.planId)];

async function applyPlans(db: Db, events: ProjectedEvent[], ctx: ProjectionContext): Promise<void> {
  if (events.length === 0) return;
  const plans = new VersionedTable<PlanRow>(ctx, 'nfi_plans', ['plan_id'], COLUMNS);
  await plans.load(db, events.flatMap(planIds));
  for (const e of events) {
    const position = e.recorded.position.toString();
    const date = e.occurredOn;
    switch (e.type as PlansEventType) {
      case 'PlanLaunched': {
        const d = e.data as Data<'PlanLaunched'>;
        plans.create({
          plan_id: d.planId,
          valid_from: date,
          valid_to: null,
          programme: programmeOf(e),
          name: d.name,
          launched_on: d.launchedOn,
          leads: JSON.stringify([]),
          leads_appointed_on: null,
          roadmap_validated_on: null,
          status: 'in_force',
          grouping_id: null,
          grouping_name: null,
          synthetic: d.synthetic === true,
          position,
        });
        break;
      }
      case 'PlanLeadAppointed': {
        const d = e.data as Data<'PlanLeadAppointed'>;
        plans.change({ plan_id: d.planId }, date, position, {
          leads: JSON.stringify(d.leads),
          leads_appointed_on: d.appointedOn,
        });
        break;
      }
      case 'PlanRenamed': {
        const d = e.data as Data<'PlanRenamed'>;
        plans.change({ plan_id: d.planId }, date, position, { name: d.name });
        break;
      }
      case 'PlanRoadmapValidated': {
        const d = e.data as Data<'PlanRoadmapValidated'>;
        plans.change({ plan_id: d.planId }, date, position, (cur) => ({
          roadmap_validated_on: cur.roadmap_validated_on ?? d.committeeOn,
        }));
        break;
      }
      case 'PlansRegrouped': {
        const d = e.data as Data<'PlansRegrouped'>;
        for (const g of d.groupings)
          for (const id of g.plans)
            plans.change({ plan_id: id }, date, position, {
              status: 'regrouped',
              grouping_id: g.solutionId,
              grouping_name: g.name,
            });
        break;
      }
      default:
        break;
    }
  }
  await plans.flush(db);
}

export const nfiPlansProjection: Projection = {
  name: 'nfi_plans',
  handles: new Set<string>(NFI_PLANS_EVENT_TYPES),
  apply: (db, event, ctx) => applyPlans(db, [event], ctx),
  applyBatch: applyPlans,
};
