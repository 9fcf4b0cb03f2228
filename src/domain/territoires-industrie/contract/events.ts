import type { EventTypeSpec } from '../../registry.ts';
import { ContractEventSchemas as S } from './contract.ts';

const str = (v: unknown) => String(v);
const eur = (cents: unknown) => (Number(cents) / 100).toFixed(2);

export const contractEventTypes: Record<string, EventTypeSpec> = {
  ContractDrafted: {
    version: 1,
    schema: S.ContractDrafted,
    occurredOn: (d) => str(d.draftedOn),
    summary: (d) => `Contract ${str(d.contractId)} "${str(d.title)}" drafted for territory ${str(d.territoryId)}`,
  },
  CommitmentMade: {
    // v1 recorded `amountEur` in whole euros; v2 records `amountCents`.
    version: 2,
    schema: S.CommitmentMade,
    occurredOn: (d) => str(d.madeOn),
    upcasters: {
      1: ({ amountEur, ...rest }) => ({ ...rest, amountCents: Math.round(Number(amountEur) * 100) }),
    },
    summary: (d) =>
      `Commitment ${str(d.commitmentId)} by ${str(d.partyKind)} ${str(d.partyName)} on contract ${str(d.contractId)}: ${eur(d.amountCents)} EUR`,
  },
  CommitmentAmended: {
    version: 1,
    schema: S.CommitmentAmended,
    occurredOn: (d) => str(d.amendedOn),
    summary: (d) =>
      `Commitment ${str(d.commitmentId)} on contract ${str(d.contractId)} amended: ${eur(d.amountCents)} EUR`,
  },
  CommitmentWithdrawn: {
    version: 1,
    schema: S.CommitmentWithdrawn,
    occurredOn: (d) => str(d.withdrawnOn),
    summary: (d) => `Commitment ${str(d.commitmentId)} withdrawn from contract ${str(d.contractId)}`,
  },
  ContractSubmittedForValidation: {
    version: 1,
    schema: S.ContractSubmittedForValidation,
    occurredOn: (d) => str(d.submittedOn),
    summary: (d) => `Contract ${str(d.contractId)} submitted for validation (submission ${str(d.submission)})`,
  },
  ContractValidatedByRegion: {
    version: 1,
    schema: S.ContractValidatedByRegion,
    occurredOn: (d) => str(d.decidedOn),
    summary: (d) => `Contract ${str(d.contractId)} validated by region ${str(d.regionCode)}`,
  },
  ContractChangesRequestedByRegion: {
    version: 1,
    schema: S.ContractChangesRequestedByRegion,
    occurredOn: (d) => str(d.decidedOn),
    summary: (d) => `Region ${str(d.regionCode)} requested changes to contract ${str(d.contractId)}: ${str(d.reason)}`,
  },
  ContractRejectedByRegion: {
    version: 1,
    schema: S.ContractRejectedByRegion,
    occurredOn: (d) => str(d.decidedOn),
    summary: (d) => `Contract ${str(d.contractId)} rejected by region ${str(d.regionCode)}: ${str(d.reason)}`,
  },
  ContractReopened: {
    version: 1,
    schema: S.ContractReopened,
    occurredOn: (d) => str(d.reopenedOn),
    summary: (d) => `Contract ${str(d.contractId)} reopened for amendment: ${str(d.reason)}`,
  },
  ContractSigned: {
    version: 1,
    schema: S.ContractSigned,
    occurredOn: (d) => str(d.signedOn),
    summary: (d) => `Contract ${str(d.contractId)} signed`,
  },
};
