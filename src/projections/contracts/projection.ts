import type { ContractCommitmentsTable, ContractsTable, ContractDecisionsTable } from '../../db/database.ts';
import type { ContractEventOf } from '../../domain/territoires-industrie/contract/contract.ts';
import type { Db, Projection, ProjectedEvent, ProjectionContext } from '../types.ts';
import { ReportDeltas } from '../reports/deltas.ts';
import { insertFacts, VersionedTable } from '../versioned.ts';

/**
 * read.contracts (one row per version over business time), read.contract_commitments (idem, per
 * commitment) and read.contract_decisions (one immutable row per submission or decision).
 * Milestone dates (`submitted_on`, `validated_on`, ...) keep the FIRST date the contract reached
 * each milestone, so "validated on or before D" is `validated_on <= D`.
 */
type ContractEventType = ContractEventOf<any>['type'];
type Data<T extends ContractEventType> = ContractEventOf<T>['data'];

type ContractRow = {
  [K in keyof ContractsTable]: K extends 'committed_cents' | 'position' ? string : ContractsTable[K];
};
type CommitmentRow = {
  [K in keyof ContractCommitmentsTable]: K extends 'amount_cents' | 'position' ? string : ContractCommitmentsTable[K];
};
type DecisionRow = { [K in keyof ContractDecisionsTable]: K extends 'position' ? string : ContractDecisionsTable[K] };

const CONTRACT_COLUMNS: (keyof ContractRow)[] = [
  'contract_id',
  'valid_from',
  'valid_to',
  'territory_id',
  'region_code',
  'kind',
  'title',
  'status',
  'drafted_on',
  'submitted_on',
  'validated_on',
  'changes_requested_on',
  'rejected_on',
  'signed_on',
  'reopened_on',
  'submissions',
  'commitments',
  'committed_cents',
  'position',
];
const COMMITMENT_COLUMNS: (keyof CommitmentRow)[] = [
  'contract_id',
  'commitment_id',
  'valid_from',
  'valid_to',
  'territory_id',
  'region_code',
  'party_kind',
  'party_name',
  'party_siren',
  'axis',
  'description',
  'amount_cents',
  'due_on',
  'status',
  'position',
];

const add = (a: string, b: number | bigint) => (BigInt(a) + BigInt(b)).toString();

export const CONTRACT_EVENT_TYPES = [
  'ContractDrafted',
  'CommitmentMade',
  'CommitmentAmended',
  'CommitmentWithdrawn',
  'ContractSubmittedForValidation',
  'ContractValidatedByRegion',
  'ContractChangesRequestedByRegion',
  'ContractRejectedByRegion',
  'ContractReopened',
  'ContractSigned',
] as const satisfies readonly ContractEventType[];

async function applyContracts(db: Db, events: ProjectedEvent[], ctx: ProjectionContext): Promise<void> {
  if (events.length === 0) return;
  const contracts = new VersionedTable<ContractRow>(ctx, 'contracts', ['contract_id'], CONTRACT_COLUMNS);
  const commitments = new VersionedTable<CommitmentRow>(
    ctx,
    'contract_commitments',
    ['contract_id', 'commitment_id'],
    COMMITMENT_COLUMNS,
  );
  // the progress report's contract milestones follow each change of a contract's current version
  const deltas = new ReportDeltas();
  contracts.observe((before, after) => {
    if (before) deltas.contract(before, -1);
    deltas.contract(after, 1);
  });
  const ids = events.map((e) => String(e.data.contractId));
  await contracts.load(db, ids);
  await commitments.load(db, ids);
  const decisions: DecisionRow[] = [];

  for (const e of events) {
    const position = e.recorded.position.toString();
    const date = e.occurredOn;
    const contractId = String(e.data.contractId);
    const decision = (kind: string, regionCode: string | null, reason: string | null) => {
      const c = contracts.get({ contract_id: contractId });
      decisions.push({
        position,
        contract_id: contractId,
        territory_id: String(e.data.territoryId),
        region_code: regionCode ?? c?.region_code ?? null,
        decision: kind,
        valid_from: date,
        valid_to: null,
        actor_sub: e.recorded.metadata.actor?.sub ?? null,
        actor_name: e.recorded.metadata.actor?.name ?? null,
        reason,
      });
    };
    switch (e.type as ContractEventType) {
      case 'ContractDrafted': {
        const d = e.data as Data<'ContractDrafted'>;
        contracts.create({
          contract_id: d.contractId,
          valid_from: date,
          valid_to: null,
          territory_id: d.territoryId,
          region_code: d.regionCode,
          kind: d.kind,
          title: d.title,
          status: 'draft',
          drafted_on: date,
          submitted_on: null,
          validated_on: null,
          changes_requested_on: null,
          rejected_on: null,
          signed_on: null,
          reopened_on: null,
          submissions: 0,
          commitments: 0,
          committed_cents: '0',
          position,
        });
        break;
      }
      case 'CommitmentMade': {
        const d = e.data as Data<'CommitmentMade'>;
        const c = contracts.get({ contract_id: d.contractId });
        const created = commitments.create({
          contract_id: d.contractId,
          commitment_id: d.commitmentId,
          valid_from: date,
          valid_to: null,
          territory_id: d.territoryId,
          region_code: c?.region_code ?? null,
          party_kind: d.partyKind,
          party_name: d.partyName,
          party_siren: d.partySiren,
          axis: d.axis,
          description: d.description,
          amount_cents: String(d.amountCents),
          due_on: d.dueOn,
          status: 'made',
          position,
        });
        if (created)
          contracts.change({ contract_id: d.contractId }, date, position, (cur) => ({
            commitments: cur.commitments + 1,
            committed_cents: add(cur.committed_cents, d.amountCents),
          }));
        break;
      }
      case 'CommitmentAmended': {
        const d = e.data as Data<'CommitmentAmended'>;
        const before = commitments.get({ contract_id: d.contractId, commitment_id: d.commitmentId });
        if (!before) break;
        const wasCounted = before.status !== 'withdrawn';
        commitments.change({ contract_id: d.contractId, commitment_id: d.commitmentId }, date, position, {
          party_kind: d.partyKind,
          party_name: d.partyName,
          party_siren: d.partySiren,
          axis: d.axis,
          description: d.description,
          amount_cents: String(d.amountCents),
          due_on: d.dueOn,
          status: wasCounted ? 'amended' : 'withdrawn',
        });
        if (wasCounted)
          contracts.change({ contract_id: d.contractId }, date, position, (cur) => ({
            committed_cents: add(cur.committed_cents, BigInt(d.amountCents) - BigInt(before.amount_cents)),
          }));
        break;
      }
      case 'CommitmentWithdrawn': {
        const d = e.data as Data<'CommitmentWithdrawn'>;
        const before = commitments.get({ contract_id: d.contractId, commitment_id: d.commitmentId });
        if (!before || before.status === 'withdrawn') break;
        commitments.change({ contract_id: d.contractId, commitment_id: d.commitmentId }, date, position, {
          status: 'withdrawn',
        });
        contracts.change({ contract_id: d.contractId }, date, position, (cur) => ({
          commitments: cur.commitments - 1,
          committed_cents: add(cur.committed_cents, -BigInt(before.amount_cents)),
        }));
        break;
      }
      case 'ContractSubmittedForValidation': {
        const d = e.data as Data<'ContractSubmittedForValidation'>;
        contracts.change({ contract_id: d.contractId }, date, position, (cur) => ({
          status: 'submitted',
          submitted_on: cur.submitted_on ?? date,
          submissions: d.submission,
        }));
        decision('submitted', null, null);
        break;
      }
      case 'ContractValidatedByRegion': {
        const d = e.data as Data<'ContractValidatedByRegion'>;
        contracts.change({ contract_id: d.contractId }, date, position, (cur) => ({
          status: 'validated',
          region_code: d.regionCode,
          validated_on: cur.validated_on ?? date,
        }));
        decision('validated', d.regionCode, d.comment);
        break;
      }
      case 'ContractChangesRequestedByRegion': {
        const d = e.data as Data<'ContractChangesRequestedByRegion'>;
        contracts.change({ contract_id: d.contractId }, date, position, (cur) => ({
          status: 'changes_requested',
          region_code: d.regionCode,
          changes_requested_on: cur.changes_requested_on ?? date,
        }));
        decision('changes_requested', d.regionCode, d.reason);
        break;
      }
      case 'ContractRejectedByRegion': {
        const d = e.data as Data<'ContractRejectedByRegion'>;
        contracts.change({ contract_id: d.contractId }, date, position, (cur) => ({
          status: 'rejected',
          region_code: d.regionCode,
          rejected_on: cur.rejected_on ?? date,
        }));
        decision('rejected', d.regionCode, d.reason);
        break;
      }
      case 'ContractReopened': {
        const d = e.data as Data<'ContractReopened'>;
        contracts.change({ contract_id: d.contractId }, date, position, { status: 'draft', reopened_on: date });
        decision('reopened', null, d.reason);
        break;
      }
      case 'ContractSigned': {
        const d = e.data as Data<'ContractSigned'>;
        contracts.change({ contract_id: d.contractId }, date, position, (cur) => ({
          status: 'signed',
          signed_on: cur.signed_on ?? date,
        }));
        decision('signed', null, null);
        break;
      }
      default:
        break;
    }
  }
  await contracts.flush(db);
  await commitments.flush(db);
  await insertFacts(db, ctx, 'contract_decisions', decisions);
  await deltas.flush(db, ctx);
}

export const contractsProjection: Projection = {
  name: 'contracts',
  handles: new Set<string>(CONTRACT_EVENT_TYPES),
  apply: (db, event, ctx) => applyContracts(db, [event], ctx),
  applyBatch: applyContracts,
};
