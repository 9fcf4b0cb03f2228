import {
  AmountEur,
  assertBusinessDate,
  assertNever,
  conflict,
  notFound,
  toCents,
  validationError,
  type Axis,
  type Command,
} from '../../kernel/shared.ts';
import type { Contract } from '../contract/contract.ts';
import type { TerritoryFacts } from '../contract/decide.ts';
import { PROJECT_STATUS, type FundingSource, type KnownProject, type Project, type ProjectEvent } from './project.ts';

/** Project commands and `decide`: one small function per command. Pure. */

/** What registering a project needs to know about its contract, read by the shell. */
export interface ContractFacts {
  status: Contract['status'];
  territoryId: string | null;
}

export const contractFacts = (c: Contract): ContractFacts =>
  c.status === 'Unknown' ? { status: 'Unknown', territoryId: null } : { status: c.status, territoryId: c.territoryId };

export type RegisterProject = Command<
  'RegisterProject',
  {
    projectId: string;
    territoryId: string;
    contractId: string | null;
    title: string;
    axis: Axis;
    budgetEur: number;
    registeredOn: string;
    territory: TerritoryFacts;
    /** Null when the project is not attached to a contract. */
    contract: ContractFacts | null;
  }
>;
export type GrantProjectFunding = Command<
  'GrantProjectFunding',
  { projectId: string; fundingId: string; source: FundingSource; amountEur: number; grantedOn: string }
>;
export type StartProject = Command<'StartProject', { projectId: string; startedOn: string }>;
export type CompleteProject = Command<'CompleteProject', { projectId: string; completedOn: string }>;
export type AbandonProject = Command<'AbandonProject', { projectId: string; abandonedOn: string; reason: string }>;

export type ProjectCommand = RegisterProject | GrantProjectFunding | StartProject | CompleteProject | AbandonProject;

function known(state: Project, id: string): KnownProject {
  if (state.status === 'Unknown') throw notFound(`project ${id} does not exist`);
  return state;
}

function wrongStatus(s: KnownProject, what: string): never {
  throw conflict(`project ${s.id} is ${PROJECT_STATUS[s.status]}: ${what}`, {
    currentStatus: PROJECT_STATUS[s.status],
  });
}

/**
 * Lifecycle dates follow each other (registered, started, then completed or abandoned); fundings
 * may be recorded at any time after the registration, so they do not constrain later steps.
 */
function notBeforePhase(field: string, date: string, s: KnownProject) {
  const since = s.status === 'Started' ? s.startedOn : s.registeredOn;
  if (date < since)
    throw validationError(`${field} ${date} is before the project's current phase began (${since})`, { field });
}

function cents(field: string, eur: number): number {
  const r = AmountEur.safeParse(eur);
  if (!r.success) throw validationError(`${field} ${r.error.issues[0]?.message ?? 'is not a valid amount'}`, { field });
  return toCents(eur);
}

const ids = (s: KnownProject) => ({ projectId: s.id, territoryId: s.territoryId, contractId: s.contractId });

const register = (c: RegisterProject, state: Project): ProjectEvent[] => {
  const d = c.data;
  if (state.status !== 'Unknown') throw conflict(`project ${d.projectId} already exists`);
  const t = d.territory;
  if (t.status === 'Unknown' || t.regionCode === null || t.labelledOn === null)
    throw notFound(`territory ${d.territoryId} does not exist`);
  if (t.status !== 'Labelled')
    throw conflict(`territory ${d.territoryId} is ${t.status.toLowerCase()}: it takes no new project`, {
      territoryStatus: t.status.toLowerCase(),
    });
  if (d.contractId !== null) {
    if (!d.contract || d.contract.status === 'Unknown') throw notFound(`contract ${d.contractId} does not exist`);
    if (d.contract.territoryId !== d.territoryId)
      throw validationError(
        `contract ${d.contractId} belongs to territory ${d.contract.territoryId ?? '?'}, not ${d.territoryId}: a project on a contract belongs to the contract's territory`,
        { field: 'contractId' },
      );
    if (d.contract.status === 'Rejected')
      throw conflict(`contract ${d.contractId} was rejected: it takes no project`, { contractStatus: 'rejected' });
  }
  assertBusinessDate('registeredOn', d.registeredOn, c.metadata.today);
  if (d.registeredOn < t.labelledOn)
    throw validationError(`registeredOn ${d.registeredOn} is before the territory was labelled (${t.labelledOn})`, {
      field: 'registeredOn',
    });
  return [
    {
      type: 'ProjectRegistered',
      data: {
        projectId: d.projectId,
        territoryId: d.territoryId,
        contractId: d.contractId,
        regionCode: t.regionCode,
        title: d.title,
        axis: d.axis,
        budgetCents: cents('budgetEur', d.budgetEur),
        registeredOn: d.registeredOn,
      },
    },
  ];
};

const grantFunding = (c: GrantProjectFunding, state: Project): ProjectEvent[] => {
  const s = known(state, c.data.projectId);
  if (s.status === 'Completed' || s.status === 'Abandoned') wrongStatus(s, 'it takes no new funding');
  assertBusinessDate('grantedOn', c.data.grantedOn, c.metadata.today);
  if (c.data.grantedOn < s.registeredOn)
    throw validationError(`grantedOn ${c.data.grantedOn} is before the project was registered (${s.registeredOn})`, {
      field: 'grantedOn',
    });
  if (s.fundings.some((f) => f.fundingId === c.data.fundingId))
    throw conflict(`funding ${c.data.fundingId} already exists`);
  return [
    {
      type: 'ProjectFundingGranted',
      data: {
        ...ids(s),
        fundingId: c.data.fundingId,
        source: c.data.source,
        amountCents: cents('amountEur', c.data.amountEur),
        grantedOn: c.data.grantedOn,
      },
    },
  ];
};

const start = (c: StartProject, state: Project): ProjectEvent[] => {
  const s = known(state, c.data.projectId);
  if (s.status !== 'Registered') wrongStatus(s, 'only a registered project can start');
  assertBusinessDate('startedOn', c.data.startedOn, c.metadata.today);
  notBeforePhase('startedOn', c.data.startedOn, s);
  return [{ type: 'ProjectStarted', data: { ...ids(s), startedOn: c.data.startedOn } }];
};

const complete = (c: CompleteProject, state: Project): ProjectEvent[] => {
  const s = known(state, c.data.projectId);
  if (s.status !== 'Registered' && s.status !== 'Started') wrongStatus(s, 'it can no longer be completed');
  assertBusinessDate('completedOn', c.data.completedOn, c.metadata.today);
  notBeforePhase('completedOn', c.data.completedOn, s);
  return [{ type: 'ProjectCompleted', data: { ...ids(s), completedOn: c.data.completedOn } }];
};

const abandon = (c: AbandonProject, state: Project): ProjectEvent[] => {
  const s = known(state, c.data.projectId);
  if (s.status !== 'Registered' && s.status !== 'Started') wrongStatus(s, 'it can no longer be abandoned');
  assertBusinessDate('abandonedOn', c.data.abandonedOn, c.metadata.today);
  notBeforePhase('abandonedOn', c.data.abandonedOn, s);
  return [{ type: 'ProjectAbandoned', data: { ...ids(s), abandonedOn: c.data.abandonedOn, reason: c.data.reason } }];
};

export function decideProject(command: ProjectCommand, state: Project): ProjectEvent[] {
  switch (command.type) {
    case 'RegisterProject':
      return register(command, state);
    case 'GrantProjectFunding':
      return grantFunding(command, state);
    case 'StartProject':
      return start(command, state);
    case 'CompleteProject':
      return complete(command, state);
    case 'AbandonProject':
      return abandon(command, state);
    default:
      return assertNever(command);
  }
}
