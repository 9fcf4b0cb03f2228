import { sql } from 'kysely';
import type { PoleEventOf } from '../../domain/poles-competitivite/pole/pole.ts';
import type { Db, Projection, ProjectedEvent, ProjectionContext } from '../types.ts';

/**
 * read.poles (one row per pôle), read.pole_labels (one row per label: phase, category, dates,
 * probation), read.pole_category_changes, read.pole_evaluations. A label holds on D when
 * starts_on <= D <= ends_on and the pôle was not closed (delabelled, merged, probation lost) on or
 * before D. Every write is keyed (pôle id, log position): applying an event twice changes nothing.
 */
type T = PoleEventOf<any>['type'];
type Data<K extends T> = PoleEventOf<K>['data'];

export const POLE_EVENT_TYPES = [
  'PoleLabelled',
  'PoleLabelRenewed',
  'PoleProbationEnded',
  'PoleDelabelled',
  'PolesMerged',
  'PoleEvaluated',
  'PoleCategoryChanged',
] as const satisfies readonly T[];

const tbl = (ctx: ProjectionContext, t: string) => sql.id(ctx.schema, t);

async function applyPole(db: Db, e: ProjectedEvent, ctx: ProjectionContext): Promise<void> {
  const pos = e.recorded.position.toString();
  switch (e.type as T) {
    case 'PoleLabelled': {
      const d = e.data as Data<'PoleLabelled'>;
      await sql`insert into ${tbl(ctx, 'poles')} (pole_id, name, theme, main_region, other_regions, merged_from, synthetic, labelled_on, position)
        values (${d.poleId}, ${d.name}, ${d.theme}, ${d.mainRegion}, ${d.otherRegions}::text[], ${d.mergedFrom}::text[], ${d.synthetic}, ${d.labelledOn}, ${pos})
        on conflict (pole_id) do nothing`.execute(db);
      await label(db, ctx, d.poleId, pos, { ...d, startsOn: d.labelledOn });
      break;
    }
    case 'PoleLabelRenewed': {
      const d = e.data as Data<'PoleLabelRenewed'>;
      await label(db, ctx, d.poleId, pos, { ...d, startsOn: d.renewedOn });
      break;
    }
    case 'PoleProbationEnded': {
      const d = e.data as Data<'PoleProbationEnded'>;
      await sql`update ${tbl(ctx, 'pole_labels')} set probation_ended_on = ${d.endedOn}, probation_outcome = ${d.outcome}
        where pole_id = ${d.poleId} and position = (select max(position) from ${tbl(ctx, 'pole_labels')} where pole_id = ${d.poleId} and position < ${pos})`.execute(
        db,
      );
      if (d.outcome === 'delabelled') await close(db, ctx, d.poleId, d.endedOn, 'probation', null);
      break;
    }
    case 'PoleDelabelled': {
      const d = e.data as Data<'PoleDelabelled'>;
      await close(db, ctx, d.poleId, d.delabelledOn, 'delabelled', null);
      break;
    }
    case 'PolesMerged': {
      const d = e.data as Data<'PolesMerged'>;
      await close(db, ctx, d.poleId, d.mergedOn, 'merged', d.into);
      break;
    }
    case 'PoleEvaluated': {
      const d = e.data as Data<'PoleEvaluated'>;
      await sql`insert into ${tbl(ctx, 'pole_evaluations')} (pole_id, campaign, rating, evaluated_on, position)
        values (${d.poleId}, ${d.campaign}, ${d.rating}, ${d.evaluatedOn}, ${pos}) on conflict do nothing`.execute(db);
      break;
    }
    case 'PoleCategoryChanged': {
      const d = e.data as Data<'PoleCategoryChanged'>;
      await sql`insert into ${tbl(ctx, 'pole_category_changes')} (pole_id, position, category, changed_on)
        values (${d.poleId}, ${pos}, ${d.category}, ${d.changedOn}) on conflict do nothing`.execute(db);
      break;
    }
    default:
      break;
  }
}

function label(
  db: Db,
  ctx: ProjectionContext,
  poleId: string,
  pos: string,
  d: { phase: number; category: string | null; startsOn: string; endsOn: string; probationMonths: number | null },
) {
  return sql`insert into ${tbl(ctx, 'pole_labels')} (pole_id, position, phase, category, starts_on, ends_on, probation_months)
    values (${poleId}, ${pos}, ${d.phase}, ${d.category}, ${d.startsOn}, ${d.endsOn}, ${d.probationMonths})
    on conflict do nothing`.execute(db);
}

function close(db: Db, ctx: ProjectionContext, poleId: string, on: string, by: string, into: string | null) {
  return sql`update ${tbl(ctx, 'poles')} set closed_on = ${on}, closed_by = ${by}, merged_into = ${into} where pole_id = ${poleId}`.execute(
    db,
  );
}

export const polesProjection: Projection = {
  name: 'poles',
  handles: new Set<string>(POLE_EVENT_TYPES),
  apply: applyPole,
  async applyBatch(db, events, ctx) {
    for (const e of events) await applyPole(db, e, ctx);
  },
};
