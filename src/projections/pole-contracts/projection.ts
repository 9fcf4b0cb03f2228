import { sql } from 'kysely';
import type { PerformanceContractEventOf } from '../../domain/poles-competitivite/contract/contract.ts';
import type { Db, Projection, ProjectedEvent, ProjectionContext } from '../types.ts';

/**
 * read.pole_contracts (one row per performance contract, its status today and the day it was
 * co-validated), read.pole_contract_decisions (one row per submission, decision and co-validation,
 * with its decider and who recorded it: a contract's history as of any date), its commitments,
 * objectives and mid-term reviews.
 */
type T = PerformanceContractEventOf<any>['type'];
type Data<K extends T> = PerformanceContractEventOf<K>['data'];

export const POLE_CONTRACT_EVENT_TYPES = [
  'PerformanceContractDrafted',
  'PerformanceCommitmentMade',
  'ImpactObjectiveSet',
  'PerformanceContractSubmitted',
  'PerformanceContractValidatedByState',
  'PerformanceContractValidatedByRegion',
  'PerformanceContractRefused',
  'PerformanceContractCoValidated',
  'MidTermReviewRecorded',
] as const satisfies readonly T[];

const tbl = (ctx: ProjectionContext, t: string) => sql.id(ctx.schema, t);

async function decision(
  db: Db,
  ctx: ProjectionContext,
  e: ProjectedEvent,
  d: { contractId: string; submission: number },
  kind: string,
  decider: string | null,
  regionCode: string | null,
  on: string,
  text: string | null,
) {
  const a = e.recorded.metadata.actor;
  await sql`insert into ${tbl(ctx, 'pole_contract_decisions')} (position, contract_id, submission, kind, decider, region_code, decided_on, actor_sub, actor_name, text)
    values (${e.recorded.position.toString()}, ${d.contractId}, ${d.submission}, ${kind}, ${decider}, ${regionCode}, ${on}, ${a.sub}, ${a.name}, ${text})
    on conflict do nothing`.execute(db);
}

const status = (db: Db, ctx: ProjectionContext, id: string, s: string) =>
  sql`update ${tbl(ctx, 'pole_contracts')} set status = ${s} where contract_id = ${id}`.execute(db);

async function applyContract(db: Db, e: ProjectedEvent, ctx: ProjectionContext): Promise<void> {
  const pos = e.recorded.position.toString();
  switch (e.type as T) {
    case 'PerformanceContractDrafted': {
      const d = e.data as Data<'PerformanceContractDrafted'>;
      await sql`insert into ${tbl(ctx, 'pole_contracts')} (contract_id, pole_id, title, period_from, period_to, regions, drafted_on, status, submissions, total_cents, position)
        values (${d.contractId}, ${d.poleId}, ${d.title}, ${d.periodFrom}, ${d.periodTo}, ${d.regions}::text[], ${d.draftedOn}, 'draft', 0, 0, ${pos})
        on conflict do nothing`.execute(db);
      break;
    }
    case 'PerformanceCommitmentMade': {
      const d = e.data as Data<'PerformanceCommitmentMade'>;
      const r =
        await sql`insert into ${tbl(ctx, 'pole_contract_commitments')} (contract_id, commitment_id, party, region_code, party_name, party_siren, objective, description, amount_cents, due_on, made_on)
        values (${d.contractId}, ${d.commitmentId}, ${d.party}, ${d.regionCode}, ${d.partyName}, ${d.partySiren}, ${d.objective}, ${d.description}, ${d.amountCents}, ${d.dueOn}, ${d.madeOn})
        on conflict do nothing`.execute(db);
      if (Number(r.numAffectedRows ?? 0) > 0)
        await sql`update ${tbl(ctx, 'pole_contracts')} set total_cents = total_cents + ${d.amountCents} where contract_id = ${d.contractId}`.execute(
          db,
        );
      break;
    }
    case 'ImpactObjectiveSet': {
      const d = e.data as Data<'ImpactObjectiveSet'>;
      await sql`insert into ${tbl(ctx, 'pole_contract_objectives')} (contract_id, objective_id, indicator, target, due_on, set_on)
        values (${d.contractId}, ${d.objectiveId}, ${d.indicator}, ${d.target}, ${d.dueOn}, ${d.setOn})
        on conflict (contract_id, objective_id) do update set indicator = excluded.indicator, target = excluded.target, due_on = excluded.due_on, set_on = excluded.set_on`.execute(
        db,
      );
      break;
    }
    case 'PerformanceContractSubmitted': {
      const d = e.data as Data<'PerformanceContractSubmitted'>;
      await decision(db, ctx, e, d, 'submitted', null, null, d.submittedOn, null);
      await sql`update ${tbl(ctx, 'pole_contracts')} set status = 'submitted', submissions = ${d.submission} where contract_id = ${d.contractId}`.execute(
        db,
      );
      break;
    }
    case 'PerformanceContractValidatedByState': {
      const d = e.data as Data<'PerformanceContractValidatedByState'>;
      await decision(db, ctx, e, d, 'validated', 'state', null, d.decidedOn, d.comment);
      break;
    }
    case 'PerformanceContractValidatedByRegion': {
      const d = e.data as Data<'PerformanceContractValidatedByRegion'>;
      await decision(db, ctx, e, d, 'validated', 'region', d.regionCode, d.decidedOn, d.comment);
      break;
    }
    case 'PerformanceContractRefused': {
      const d = e.data as Data<'PerformanceContractRefused'>;
      await decision(db, ctx, e, d, 'refused', d.decider, d.regionCode, d.decidedOn, d.reason);
      await status(db, ctx, d.contractId, 'draft');
      break;
    }
    case 'PerformanceContractCoValidated': {
      const d = e.data as Data<'PerformanceContractCoValidated'>;
      await decision(db, ctx, e, d, 'co_validated', null, null, d.validatedOn, null);
      await sql`update ${tbl(ctx, 'pole_contracts')} set status = 'validated', validated_on = ${d.validatedOn} where contract_id = ${d.contractId}`.execute(
        db,
      );
      break;
    }
    case 'MidTermReviewRecorded': {
      const d = e.data as Data<'MidTermReviewRecorded'>;
      await sql`insert into ${tbl(ctx, 'pole_contract_reviews')} (contract_id, position, reviewed_on, results, comment)
        values (${d.contractId}, ${pos}, ${d.reviewedOn}, ${JSON.stringify(d.results)}::jsonb, ${d.comment}) on conflict do nothing`.execute(
        db,
      );
      break;
    }
    default:
      break;
  }
}

export const poleContractsProjection: Projection = {
  name: 'pole_contracts',
  handles: new Set<string>(POLE_CONTRACT_EVENT_TYPES),
  apply: applyContract,
  async applyBatch(db, events, ctx) {
    for (const e of events) await applyContract(db, e, ctx);
  },
};
