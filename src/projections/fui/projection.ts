import { sql } from 'kysely';
import type { FuiCallEventOf } from '../../domain/poles-competitivite/fui-call/call.ts';
import type { FuiProjectEventOf } from '../../domain/poles-competitivite/fui-project/project.ts';
import type { Db, Projection, ProjectedEvent, ProjectionContext } from '../types.ts';

/**
 * read.fui_calls (window and published results), read.fui_projects (one row per project with its
 * milestone dates: its status on D follows from them), read.fui_project_cofundings (one row per
 * Region's decision), read.fui_project_impacts (one row per impact report).
 */
type T = FuiCallEventOf<any>['type'] | FuiProjectEventOf<any>['type'];
type CData<K extends FuiCallEventOf<any>['type']> = FuiCallEventOf<K>['data'];
type PData<K extends FuiProjectEventOf<any>['type']> = FuiProjectEventOf<K>['data'];

export const FUI_EVENT_TYPES = [
  'FuiCallOpened',
  'FuiCallResultsPublished',
  'FuiProjectSubmitted',
  'FuiProjectSelected',
  'FuiProjectRejected',
  'FuiProjectCoFunded',
  'FuiProjectStarted',
  'FuiProjectCompleted',
  'FuiProjectImpactReported',
] as const satisfies readonly T[];

const tbl = (ctx: ProjectionContext, t: string) => sql.id(ctx.schema, t);
const set = (db: Db, ctx: ProjectionContext, id: string, column: string, date: string) =>
  sql`update ${tbl(ctx, 'fui_projects')} set ${sql.id(column)} = ${date} where project_id = ${id}`.execute(db);

async function applyFui(db: Db, e: ProjectedEvent, ctx: ProjectionContext): Promise<void> {
  const pos = e.recorded.position.toString();
  switch (e.type as T) {
    case 'FuiCallOpened': {
      const d = e.data as CData<'FuiCallOpened'>;
      await sql`insert into ${tbl(ctx, 'fui_calls')} (call_number, opens_on, closes_on, synthetic)
        values (${d.callNumber}, ${d.opensOn}, ${d.closesOn}, ${d.synthetic}) on conflict do nothing`.execute(db);
      break;
    }
    case 'FuiCallResultsPublished': {
      const d = e.data as CData<'FuiCallResultsPublished'>;
      await sql`update ${tbl(ctx, 'fui_calls')} set published_on = ${d.publishedOn}, submitted = ${d.submitted}, selected = ${d.selected},
        state_cents = ${d.stateCents}, local_authorities_cents = ${d.localAuthoritiesCents}, source = ${d.source} where call_number = ${d.callNumber}`.execute(
        db,
      );
      break;
    }
    case 'FuiProjectSubmitted': {
      const d = e.data as PData<'FuiProjectSubmitted'>;
      const lead = d.consortium.find((m) => m.lead)?.name ?? '';
      await sql`insert into ${tbl(ctx, 'fui_projects')} (project_id, call_number, title, region_code, labelling_poles, firms, labs, lead_name, budget_cents, submitted_on, synthetic, position)
        values (${d.projectId}, ${d.callNumber}, ${d.title}, ${d.regionCode}, ${d.labellingPoles}::text[],
          ${d.consortium.filter((m) => m.kind === 'firm').length}, ${d.consortium.filter((m) => m.kind === 'lab').length}, ${lead},
          ${d.budgetCents}, ${d.submittedOn}, ${d.synthetic}, ${pos}) on conflict do nothing`.execute(db);
      break;
    }
    case 'FuiProjectSelected': {
      const d = e.data as PData<'FuiProjectSelected'>;
      await sql`update ${tbl(ctx, 'fui_projects')} set selected_on = ${d.selectedOn}, state_grant_cents = ${d.stateGrantCents} where project_id = ${d.projectId}`.execute(
        db,
      );
      break;
    }
    case 'FuiProjectRejected': {
      const d = e.data as PData<'FuiProjectRejected'>;
      await set(db, ctx, d.projectId, 'rejected_on', d.rejectedOn);
      break;
    }
    case 'FuiProjectCoFunded': {
      const d = e.data as PData<'FuiProjectCoFunded'>;
      await sql`insert into ${tbl(ctx, 'fui_project_cofundings')} (project_id, region_code, amount_cents, decided_on)
        values (${d.projectId}, ${d.regionCode}, ${d.amountCents}, ${d.decidedOn}) on conflict do nothing`.execute(db);
      break;
    }
    case 'FuiProjectStarted': {
      const d = e.data as PData<'FuiProjectStarted'>;
      await set(db, ctx, d.projectId, 'started_on', d.startedOn);
      break;
    }
    case 'FuiProjectCompleted': {
      const d = e.data as PData<'FuiProjectCompleted'>;
      await set(db, ctx, d.projectId, 'completed_on', d.completedOn);
      break;
    }
    case 'FuiProjectImpactReported': {
      const d = e.data as PData<'FuiProjectImpactReported'>;
      await sql`insert into ${tbl(ctx, 'fui_project_impacts')} (project_id, position, reported_on, products_services, jobs, revenue_cents, patents)
        values (${d.projectId}, ${pos}, ${d.reportedOn}, ${d.productsServices}, ${d.jobs}, ${d.revenueCents}, ${d.patents}) on conflict do nothing`.execute(
        db,
      );
      break;
    }
    default:
      break;
  }
}

export const fuiProjection: Projection = {
  name: 'fui',
  handles: new Set<string>(FUI_EVENT_TYPES),
  apply: applyFui,
  async applyBatch(db, events, ctx) {
    for (const e of events) await applyFui(db, e, ctx);
  },
};
