import type { z } from 'zod';
import type { EventTypeSpec } from '../registry.ts';
import { PerformanceContractEventSchemas } from './contract/contract.ts';
import { FuiCallEventSchemas } from './fui-call/call.ts';
import { FuiProjectEventSchemas } from './fui-project/project.ts';
import { PoleEventSchemas } from './pole/pole.ts';

/** Registry entries of the pôles de compétitivité programme's events (all version 1). */
const str = (v: unknown) => String(v);
const eur = (cents: unknown) => (Number(cents) / 100).toFixed(2);

type Entry = [z.ZodType, string, (d: Record<string, unknown>) => string];
const entries: Record<string, Entry> = {
  PoleLabelled: [
    PoleEventSchemas.PoleLabelled,
    'labelledOn',
    (d) => `Pôle ${str(d.poleId)} "${str(d.name)}" labelled for phase ${str(d.phase)}`,
  ],
  PoleLabelRenewed: [
    PoleEventSchemas.PoleLabelRenewed,
    'renewedOn',
    (d) => `Pôle ${str(d.poleId)} relabelled for phase ${str(d.phase)} until ${str(d.endsOn)}`,
  ],
  PoleProbationEnded: [
    PoleEventSchemas.PoleProbationEnded,
    'endedOn',
    (d) => `Pôle ${str(d.poleId)}'s probation ended: ${str(d.outcome)}`,
  ],
  PoleDelabelled: [
    PoleEventSchemas.PoleDelabelled,
    'delabelledOn',
    (d) => `Pôle ${str(d.poleId)} delabelled: ${str(d.reason)}`,
  ],
  PolesMerged: [PoleEventSchemas.PolesMerged, 'mergedOn', (d) => `Pôle ${str(d.poleId)} merged into ${str(d.into)}`],
  PoleEvaluated: [
    PoleEventSchemas.PoleEvaluated,
    'evaluatedOn',
    (d) => `Pôle ${str(d.poleId)} evaluated (${str(d.campaign)}): ${str(d.rating)}`,
  ],
  PoleCategoryChanged: [
    PoleEventSchemas.PoleCategoryChanged,
    'changedOn',
    (d) => `Pôle ${str(d.poleId)} now ${str(d.category)}`,
  ],
  PerformanceContractDrafted: [
    PerformanceContractEventSchemas.PerformanceContractDrafted,
    'draftedOn',
    (d) => `Performance contract ${str(d.contractId)} drafted for pôle ${str(d.poleId)}`,
  ],
  PerformanceCommitmentMade: [
    PerformanceContractEventSchemas.PerformanceCommitmentMade,
    'madeOn',
    (d) =>
      `Commitment ${str(d.commitmentId)} by ${str(d.party)} ${str(d.partyName)} on performance contract ${str(d.contractId)}: ${eur(d.amountCents)} EUR`,
  ],
  ImpactObjectiveSet: [
    PerformanceContractEventSchemas.ImpactObjectiveSet,
    'setOn',
    (d) =>
      `Objective ${str(d.objectiveId)} on performance contract ${str(d.contractId)}: ${str(d.indicator)} ${str(d.target)}`,
  ],
  PerformanceContractSubmitted: [
    PerformanceContractEventSchemas.PerformanceContractSubmitted,
    'submittedOn',
    (d) => `Performance contract ${str(d.contractId)} submitted (submission ${str(d.submission)})`,
  ],
  PerformanceContractValidatedByState: [
    PerformanceContractEventSchemas.PerformanceContractValidatedByState,
    'decidedOn',
    (d) => `Performance contract ${str(d.contractId)} validated by the State`,
  ],
  PerformanceContractValidatedByRegion: [
    PerformanceContractEventSchemas.PerformanceContractValidatedByRegion,
    'decidedOn',
    (d) => `Performance contract ${str(d.contractId)} validated by region ${str(d.regionCode)}`,
  ],
  PerformanceContractRefused: [
    PerformanceContractEventSchemas.PerformanceContractRefused,
    'decidedOn',
    (d) =>
      `Performance contract ${str(d.contractId)} refused by ${d.regionCode ? `region ${str(d.regionCode)}` : 'the State'}: ${str(d.reason)}`,
  ],
  PerformanceContractCoValidated: [
    PerformanceContractEventSchemas.PerformanceContractCoValidated,
    'validatedOn',
    (d) => `Performance contract ${str(d.contractId)} co-validated by the State and every Region concerned`,
  ],
  MidTermReviewRecorded: [
    PerformanceContractEventSchemas.MidTermReviewRecorded,
    'reviewedOn',
    (d) => `Mid-term review of performance contract ${str(d.contractId)}`,
  ],
  FuiCallOpened: [
    FuiCallEventSchemas.FuiCallOpened,
    'opensOn',
    (d) => `FUI call ${str(d.callNumber)} opened (${str(d.opensOn)} to ${str(d.closesOn)})`,
  ],
  FuiCallResultsPublished: [
    FuiCallEventSchemas.FuiCallResultsPublished,
    'publishedOn',
    (d) => `FUI call ${str(d.callNumber)}: ${str(d.selected)} of ${str(d.submitted)} selected`,
  ],
  FuiProjectSubmitted: [
    FuiProjectEventSchemas.FuiProjectSubmitted,
    'submittedOn',
    (d) => `FUI project ${str(d.projectId)} submitted to call ${str(d.callNumber)}`,
  ],
  FuiProjectSelected: [
    FuiProjectEventSchemas.FuiProjectSelected,
    'selectedOn',
    (d) => `FUI project ${str(d.projectId)} selected: State grant ${eur(d.stateGrantCents)} EUR`,
  ],
  FuiProjectRejected: [
    FuiProjectEventSchemas.FuiProjectRejected,
    'rejectedOn',
    (d) => `FUI project ${str(d.projectId)} rejected`,
  ],
  FuiProjectCoFunded: [
    FuiProjectEventSchemas.FuiProjectCoFunded,
    'decidedOn',
    (d) => `FUI project ${str(d.projectId)} co-funded by region ${str(d.regionCode)}: ${eur(d.amountCents)} EUR`,
  ],
  FuiProjectStarted: [
    FuiProjectEventSchemas.FuiProjectStarted,
    'startedOn',
    (d) => `FUI project ${str(d.projectId)} started`,
  ],
  FuiProjectCompleted: [
    FuiProjectEventSchemas.FuiProjectCompleted,
    'completedOn',
    (d) => `FUI project ${str(d.projectId)} completed`,
  ],
  FuiProjectImpactReported: [
    FuiProjectEventSchemas.FuiProjectImpactReported,
    'reportedOn',
    (d) => `FUI project ${str(d.projectId)} impact: ${str(d.productsServices)} products/services, ${str(d.jobs)} jobs`,
  ],
};

export const polesEventTypes: Record<string, EventTypeSpec> = Object.fromEntries(
  Object.entries(entries).map(([type, [schema, dateField, summary]]) => [
    type,
    { version: 1, schema, occurredOn: (d: Record<string, unknown>) => str(d[dateField]), summary },
  ]),
);
