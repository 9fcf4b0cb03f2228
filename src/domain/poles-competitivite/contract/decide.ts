import {
  amountCents,
  coValidation,
  dueDate,
  dueNotBeforeMade,
  notBeforeLast,
  regionDecider,
  STATE_DECIDER,
  text,
} from '../../kernel/commitments.ts';
import { mayActFor } from '../../kernel/regions.ts';
import {
  assertInProgramme,
  assertNever,
  conflict,
  forbidden,
  notFound,
  validationError,
  type Command,
} from '../../kernel/shared.ts';
import { labelOn, poleRegions, type Pole } from '../pole/pole.ts';
import {
  PERFORMANCE_CONTRACT_STATUS,
  type ContractParty,
  type ImpactIndicator,
  type KnownPerformanceContract,
  type PerformanceContract,
  type PerformanceContractEvent,
} from './contract.ts';

/** Performance-contract commands and `decide`. Pure. */

export type DraftPerformanceContract = Command<
  'DraftPerformanceContract',
  {
    contractId: string;
    poleId: string;
    title: string;
    periodFrom: number;
    periodTo: number;
    draftedOn: string;
    pole: Pole;
  }
>;
export type MakePerformanceCommitment = Command<
  'MakePerformanceCommitment',
  {
    contractId: string;
    commitmentId: string;
    party: ContractParty;
    regionCode?: string | null | undefined;
    partyName: string;
    partySiren?: string | null | undefined;
    objective?: string | null | undefined;
    description: string;
    amountEur: number;
    dueOn: string;
    madeOn: string;
  }
>;
export type SetImpactObjective = Command<
  'SetImpactObjective',
  { contractId: string; objectiveId: string; indicator: ImpactIndicator; target: number; dueOn: string; setOn: string }
>;
export type SubmitPerformanceContract = Command<
  'SubmitPerformanceContract',
  { contractId: string; submittedOn: string }
>;
/** The State's decision (a programme administrator). */
export type DecidePerformanceContractForState = Command<
  'DecidePerformanceContractForState',
  { contractId: string; decision: 'validated' | 'refused'; decidedOn: string; comment?: string | undefined }
>;
/** A Region's decision: `regionCode` must be concerned, and the officer's token may act for it. */
export type DecidePerformanceContractForRegion = Command<
  'DecidePerformanceContractForRegion',
  {
    contractId: string;
    regionCode: string;
    officerRegions: readonly string[];
    decision: 'validated' | 'refused';
    decidedOn: string;
    comment?: string | undefined;
  }
>;
export type RecordMidTermReview = Command<
  'RecordMidTermReview',
  {
    contractId: string;
    reviewedOn: string;
    results: { objectiveId: string; achieved: number }[];
    comment?: string | undefined;
  }
>;

export type PerformanceContractCommand =
  | DraftPerformanceContract
  | MakePerformanceCommitment
  | SetImpactObjective
  | SubmitPerformanceContract
  | DecidePerformanceContractForState
  | DecidePerformanceContractForRegion
  | RecordMidTermReview;

type Known = Exclude<PerformanceContract, { status: 'Unknown' }>;

function known(state: PerformanceContract, id: string): Known {
  if (state.status === 'Unknown') throw notFound(`performance contract ${id} does not exist`);
  return state;
}
const apiStatus = (s: Known) => PERFORMANCE_CONTRACT_STATUS[s.status];
function wrongStatus(s: Known, what: string): never {
  throw conflict(`performance contract ${s.id} is ${apiStatus(s)}: ${what}`, { currentStatus: apiStatus(s) });
}
function editable(state: PerformanceContract, id: string): Known {
  const s = known(state, id);
  if (s.status !== 'Draft') wrongStatus(s, 'its commitments and objectives change only while it is a draft');
  return s;
}

/** The deciders a submission awaits: the State and each Region concerned. */
export const requiredDeciders = (s: KnownPerformanceContract) => [STATE_DECIDER, ...s.regions.map(regionDecider)];

const draft = (c: DraftPerformanceContract, state: PerformanceContract): PerformanceContractEvent[] => {
  const d = c.data;
  if (state.status !== 'Unknown') throw conflict(`performance contract ${d.contractId} already exists`);
  if (d.pole.status === 'Unknown') throw notFound(`pôle ${d.poleId} does not exist`);
  assertInProgramme('draftedOn', d.draftedOn, c.metadata);
  if (!labelOn(d.pole, d.draftedOn))
    throw conflict(`pôle ${d.poleId} holds no label on ${d.draftedOn}: it takes no performance contract`, {
      rule: 'pole-labelled',
    });
  if (d.periodTo < d.periodFrom)
    throw validationError(`periodTo ${d.periodTo} is before periodFrom ${d.periodFrom}`, { field: 'periodTo' });
  if (d.periodFrom < 2005 || d.periodTo > 2026)
    throw validationError('period: the programme runs 2005–2026', { field: 'periodFrom' });
  return [
    {
      type: 'PerformanceContractDrafted',
      data: {
        contractId: d.contractId,
        poleId: d.poleId,
        title: d.title,
        periodFrom: d.periodFrom,
        periodTo: d.periodTo,
        regions: poleRegions(d.pole),
        draftedOn: d.draftedOn,
      },
    },
  ];
};

const commit = (c: MakePerformanceCommitment, state: PerformanceContract): PerformanceContractEvent[] => {
  const s = editable(state, c.data.contractId);
  const d = c.data;
  assertInProgramme('madeOn', d.madeOn, c.metadata);
  notBeforeLast('madeOn', d.madeOn, s.lastDate);
  dueDate('dueOn', d.dueOn, '2005-01-01');
  dueNotBeforeMade(d.dueOn, d.madeOn);
  const regionCode = d.regionCode ?? null;
  if (d.party === 'region' && (regionCode === null || !s.regions.includes(regionCode)))
    throw validationError(
      `regionCode: a Region's commitment names one of the Regions concerned (${s.regions.join(', ')})`,
      { field: 'regionCode', rule: 'region-concerned' },
    );
  if (d.party !== 'region' && regionCode !== null)
    throw validationError('regionCode: only a Region party names a Region', { field: 'regionCode' });
  if (s.commitments.some((x) => x.commitmentId === d.commitmentId))
    throw conflict(`commitment ${d.commitmentId} already exists`);
  return [
    {
      type: 'PerformanceCommitmentMade',
      data: {
        contractId: s.id,
        commitmentId: d.commitmentId,
        party: d.party,
        regionCode,
        partyName: d.partyName,
        partySiren: d.partySiren ?? null,
        objective: d.objective ?? null,
        description: d.description,
        amountCents: amountCents('amountEur', d.amountEur),
        dueOn: d.dueOn,
        madeOn: d.madeOn,
      },
    },
  ];
};

const objective = (c: SetImpactObjective, state: PerformanceContract): PerformanceContractEvent[] => {
  const s = editable(state, c.data.contractId);
  const d = c.data;
  assertInProgramme('setOn', d.setOn, c.metadata);
  notBeforeLast('setOn', d.setOn, s.lastDate);
  dueDate('dueOn', d.dueOn, '2005-01-01');
  if (d.target <= 0) throw validationError('target: a quantified objective is above 0', { field: 'target' });
  return [
    {
      type: 'ImpactObjectiveSet',
      data: {
        contractId: s.id,
        objectiveId: d.objectiveId,
        indicator: d.indicator,
        target: d.target,
        dueOn: d.dueOn,
        setOn: d.setOn,
      },
    },
  ];
};

const submit = (c: SubmitPerformanceContract, state: PerformanceContract): PerformanceContractEvent[] => {
  const s = known(state, c.data.contractId);
  if (s.status !== 'Draft') wrongStatus(s, 'only a draft (or a contract sent back) can be submitted');
  assertInProgramme('submittedOn', c.data.submittedOn, c.metadata);
  notBeforeLast('submittedOn', c.data.submittedOn, s.lastDate);
  const missing = [
    ...(['state', 'pole'] as const).filter((p) => !s.commitments.some((x) => x.party === p)),
    ...s.regions
      .filter((r) => !s.commitments.some((x) => x.party === 'region' && x.regionCode === r))
      .map((r) => `region ${r}`),
  ];
  if (missing.length > 0)
    throw conflict(
      `performance contract ${s.id} needs a commitment of the State, of the pôle and of each Region concerned; missing: ${missing.join(', ')}`,
      { currentStatus: apiStatus(s), missingParties: missing, rule: 'contract-parties' },
    );
  if (s.objectives.length === 0)
    throw conflict(`performance contract ${s.id} needs at least one quantified economic-impact objective`, {
      currentStatus: apiStatus(s),
      rule: 'impact-objectives',
    });
  return [
    {
      type: 'PerformanceContractSubmitted',
      data: {
        contractId: s.id,
        submission: s.submissions + 1,
        submittedOn: c.data.submittedOn,
        commitmentCount: s.commitments.length,
        totalCents: s.commitments.reduce((a, x) => a + x.amountCents, 0),
      },
    },
  ];
};

function decisionChecks(
  s: Known,
  decider: string,
  decidedOn: string,
  c: { metadata: Command<string, unknown>['metadata'] },
) {
  if (s.status !== 'Submitted') wrongStatus(s, 'only a submitted contract can be decided');
  assertInProgramme('decidedOn', decidedOn, c.metadata);
  if (decidedOn < (s.submittedOn ?? s.lastDate))
    throw validationError(`decidedOn ${decidedOn} is before the submission it decides (${s.submittedOn})`, {
      field: 'decidedOn',
    });
  if (s.decisions.some((d) => d.submission === s.submissions && d.decider === decider))
    throw conflict(`${decider === STATE_DECIDER ? 'the State' : decider} already decided submission ${s.submissions}`, {
      currentStatus: apiStatus(s),
      rule: 'one-decision-per-decider',
    });
}

/** After a validation: the co-validation once nobody else is awaited. */
function validated(
  s: Known,
  decider: string,
  event: PerformanceContractEvent,
  decidedOn: string,
): PerformanceContractEvent[] {
  const decisions = [...s.decisions, { decider, submission: s.submissions, kind: 'validated' as const }];
  const { awaiting } = coValidation(requiredDeciders(s), decisions, s.submissions);
  if (awaiting.length > 0) return [event];
  return [
    event,
    {
      type: 'PerformanceContractCoValidated',
      data: { contractId: s.id, submission: s.submissions, validatedOn: decidedOn },
    },
  ];
}

const forState = (c: DecidePerformanceContractForState, state: PerformanceContract): PerformanceContractEvent[] => {
  const s = known(state, c.data.contractId);
  const d = c.data;
  decisionChecks(s, STATE_DECIDER, d.decidedOn, c);
  if (d.decision === 'refused') {
    const reason = text(d.comment);
    if (!reason) throw validationError('comment: a refusal gives its reason', { field: 'comment' });
    return [
      {
        type: 'PerformanceContractRefused',
        data: {
          contractId: s.id,
          decider: 'state',
          regionCode: null,
          submission: s.submissions,
          decidedOn: d.decidedOn,
          reason,
        },
      },
    ];
  }
  return validated(
    s,
    STATE_DECIDER,
    {
      type: 'PerformanceContractValidatedByState',
      data: { contractId: s.id, submission: s.submissions, decidedOn: d.decidedOn, comment: text(d.comment) },
    },
    d.decidedOn,
  );
};

const forRegion = (c: DecidePerformanceContractForRegion, state: PerformanceContract): PerformanceContractEvent[] => {
  const s = known(state, c.data.contractId);
  const d = c.data;
  if (!s.regions.includes(d.regionCode))
    throw forbidden(
      `region ${d.regionCode} is not concerned by performance contract ${s.id} (its Regions: ${s.regions.join(', ')})`,
    );
  if (!mayActFor(d.officerRegions, d.regionCode))
    throw forbidden(
      `you may decide only for region(s) ${d.officerRegions.join(', ') || '(none)'}, not ${d.regionCode}`,
    );
  const decider = regionDecider(d.regionCode);
  decisionChecks(s, decider, d.decidedOn, c);
  if (d.decision === 'refused') {
    const reason = text(d.comment);
    if (!reason) throw validationError('comment: a refusal gives its reason', { field: 'comment' });
    return [
      {
        type: 'PerformanceContractRefused',
        data: {
          contractId: s.id,
          decider: 'region',
          regionCode: d.regionCode,
          submission: s.submissions,
          decidedOn: d.decidedOn,
          reason,
        },
      },
    ];
  }
  return validated(
    s,
    decider,
    {
      type: 'PerformanceContractValidatedByRegion',
      data: {
        contractId: s.id,
        regionCode: d.regionCode,
        submission: s.submissions,
        decidedOn: d.decidedOn,
        comment: text(d.comment),
      },
    },
    d.decidedOn,
  );
};

const review = (c: RecordMidTermReview, state: PerformanceContract): PerformanceContractEvent[] => {
  const s = known(state, c.data.contractId);
  const d = c.data;
  if (s.status !== 'Validated') wrongStatus(s, 'a mid-term review follows the co-validation');
  assertInProgramme('reviewedOn', d.reviewedOn, c.metadata);
  notBeforeLast('reviewedOn', d.reviewedOn, s.lastDate);
  for (const r of d.results)
    if (!s.objectives.some((o) => o.objectiveId === r.objectiveId))
      throw validationError(`results: contract ${s.id} has no objective ${r.objectiveId}`, { field: 'results' });
  if (d.results.length === 0)
    throw validationError('results: the review measures at least one objective', { field: 'results' });
  return [
    {
      type: 'MidTermReviewRecorded',
      data: { contractId: s.id, reviewedOn: d.reviewedOn, results: d.results, comment: text(d.comment) },
    },
  ];
};

export function decidePerformanceContract(
  command: PerformanceContractCommand,
  state: PerformanceContract,
): PerformanceContractEvent[] {
  switch (command.type) {
    case 'DraftPerformanceContract':
      return draft(command, state);
    case 'MakePerformanceCommitment':
      return commit(command, state);
    case 'SetImpactObjective':
      return objective(command, state);
    case 'SubmitPerformanceContract':
      return submit(command, state);
    case 'DecidePerformanceContractForState':
      return forState(command, state);
    case 'DecidePerformanceContractForRegion':
      return forRegion(command, state);
    case 'RecordMidTermReview':
      return review(command, state);
    default:
      return assertNever(command);
  }
}
