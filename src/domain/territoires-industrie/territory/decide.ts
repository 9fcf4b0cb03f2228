import { regionInForce } from '../../kernel/regions.ts';
import {
  assertInProgramme,
  assertNever,
  conflict,
  notFound,
  toCents,
  validationError,
  type Command,
} from '../../kernel/shared.ts';
import type { ApplicationFacts } from '../application/decide.ts';
import type { Epci, Territory, TerritoryEvent, TerritoryEventOf } from './territory.ts';

/** Territory commands and `decide`: one small function per command. Pure. */

export type LabelTerritory = Command<
  'LabelTerritory',
  {
    territoryId: string;
    programme: string;
    name: string;
    regionCode: string;
    epcis: Epci[];
    labelledOn: string;
    splitFrom?: string;
    succeeds?: string;
    synthetic?: boolean;
    /** Labelled from this application of the programme's call: it must be selected (the shell loads it). */
    fromApplication?: ApplicationFacts;
  }
>;
export type RenameTerritory = Command<'RenameTerritory', { territoryId: string; name: string; renamedOn: string }>;
export type ChangeTerritoryPerimeter = Command<
  'ChangeTerritoryPerimeter',
  { territoryId: string; added: Epci[]; removed: string[]; decidedOn: string; reason: string }
>;
export type SplitTerritory = Command<
  'SplitTerritory',
  {
    territoryId: string;
    into: { territoryId: string; name: string; epcis: Epci[] }[];
    splitOn: string;
    reason?: string;
  }
>;
export type AppointCoLeads = Command<
  'AppointCoLeads',
  {
    territoryId: string;
    industrial: { name: string; role?: string; synthetic?: boolean };
    elected: { name: string; role?: string; synthetic?: boolean };
    appointedOn: string;
  }
>;
export type WithdrawTerritory = Command<
  'WithdrawTerritory',
  { territoryId: string; withdrawnOn: string; reason: string }
>;

export type AppointProjectLead = Command<
  'AppointProjectLead',
  {
    territoryId: string;
    lead: { name: string; role?: string; synthetic?: boolean };
    appointedOn: string;
    cofinancing: { funder: string; kind: 'state' | 'region' | 'epci' | 'other'; amountEur: number }[];
  }
>;
export type LinkSuccession = Command<
  'LinkSuccession',
  { territoryId: string; succeeds: string; linkedOn: string; basis: 'epci-overlap' | 'administrator' }
>;

export type TerritoryCommand =
  | LabelTerritory
  | RenameTerritory
  | ChangeTerritoryPerimeter
  | SplitTerritory
  | AppointCoLeads
  | WithdrawTerritory
  | AppointProjectLead
  | LinkSuccession;

type Active = Extract<Territory, { status: 'Labelled' }>;

function active(state: Territory, id: string): Active {
  if (state.status === 'Unknown') throw notFound(`territory ${id} does not exist`);
  if (state.status !== 'Labelled')
    throw conflict(`territory ${id} is ${state.status.toLowerCase()}`, { currentStatus: state.status });
  return state;
}

function notBeforeLast(field: string, date: string, state: Active) {
  if (date < state.lastDate)
    throw validationError(`${field} ${date} is before the territory's last recorded change (${state.lastDate})`, {
      field,
    });
}

function uniqueSirens(epcis: Epci[], field: string) {
  const seen = new Set<string>();
  for (const e of epcis) {
    if (seen.has(e.siren)) throw validationError(`${field}: EPCI ${e.siren} is listed twice`, { field });
    seen.add(e.siren);
  }
}

const label = (c: LabelTerritory, state: Territory): TerritoryEventOf<'TerritoryLabelled'>[] => {
  if (state.status !== 'Unknown')
    throw conflict(`territory ${c.data.territoryId} is already labelled in ${state.programme}`, {
      field: 'id',
      programme: state.programme,
    });
  const p = c.metadata.programme;
  if (p && p.id !== c.data.programme)
    throw validationError(`programme: the command names ${c.data.programme} but is checked against ${p.id}`, {
      field: 'programme',
    });
  assertInProgramme('labelledOn', c.data.labelledOn, c.metadata);
  if (!regionInForce(c.data.regionCode, c.data.labelledOn))
    throw validationError(
      `regionCode ${c.data.regionCode} is not a Region in force on ${c.data.labelledOn} (INSEE COG)`,
      { field: 'regionCode' },
    );
  uniqueSirens(c.data.epcis, 'epcis');
  if (c.data.epcis.length === 0)
    throw validationError('epcis: a territory holds at least one EPCI', { field: 'epcis' });
  const { fromApplication: application, ...data } = c.data;
  if (!application) return [{ type: 'TerritoryLabelled', data }];
  if (application.status === 'Unknown') throw notFound(`application ${application.applicationId} does not exist`);
  if (application.status !== 'Selected' || application.selectedOn === null)
    throw conflict(
      `application ${application.applicationId} is not selected: only a selected application is labelled`,
      {
        rule: 'labelled-from-selected-application',
        currentStatus: application.status,
      },
    );
  if (c.data.labelledOn < application.selectedOn)
    throw validationError(
      `labelledOn ${c.data.labelledOn} is before the application was selected (${application.selectedOn})`,
      { field: 'labelledOn' },
    );
  return [{ type: 'TerritoryLabelled', data: { ...data, application: application.applicationId } }];
};

const rename = (c: RenameTerritory, state: Territory): TerritoryEvent[] => {
  const s = active(state, c.data.territoryId);
  assertInProgramme('renamedOn', c.data.renamedOn, c.metadata);
  notBeforeLast('renamedOn', c.data.renamedOn, s);
  if (s.name === c.data.name) return []; // already so: nothing to record
  return [{ type: 'TerritoryRenamed', data: { ...c.data } }];
};

const changePerimeter = (c: ChangeTerritoryPerimeter, state: Territory): TerritoryEvent[] => {
  const s = active(state, c.data.territoryId);
  assertInProgramme('decidedOn', c.data.decidedOn, c.metadata);
  notBeforeLast('decidedOn', c.data.decidedOn, s);
  uniqueSirens(c.data.added, 'added');
  const current = new Set(s.epcis.map((e) => e.siren));
  const added = c.data.added.filter((e) => !current.has(e.siren));
  const removed = [...new Set(c.data.removed)].filter((siren) => current.has(siren));
  for (const siren of c.data.removed)
    if (c.data.added.some((e) => e.siren === siren))
      throw validationError(`EPCI ${siren} is both added and removed`, { field: 'removed' });
  if (added.length === 0 && removed.length === 0) return [];
  if (current.size + added.length - removed.length === 0)
    throw validationError('the change would leave the territory without any EPCI; withdraw it instead', {
      field: 'removed',
    });
  return [{ type: 'TerritoryPerimeterChanged', data: { ...c.data, added, removed } }];
};

const split = (c: SplitTerritory, state: Territory): TerritoryEvent[] => {
  const s = active(state, c.data.territoryId);
  assertInProgramme('splitOn', c.data.splitOn, c.metadata);
  notBeforeLast('splitOn', c.data.splitOn, s);
  if (c.data.into.length < 2) throw validationError('into: a split makes at least two territories', { field: 'into' });
  const ids = new Set<string>();
  for (const t of c.data.into) {
    if (ids.has(t.territoryId) || t.territoryId === s.id)
      throw validationError(`into: territory id ${t.territoryId} is repeated`, { field: 'into' });
    ids.add(t.territoryId);
    if (t.epcis.length === 0) throw validationError(`into: ${t.territoryId} holds no EPCI`, { field: 'into' });
    uniqueSirens(t.epcis, 'into');
  }
  return [{ type: 'TerritorySplit', data: { ...c.data } }];
};

const appointCoLeads = (c: AppointCoLeads, state: Territory): TerritoryEvent[] => {
  const s = active(state, c.data.territoryId);
  assertInProgramme('appointedOn', c.data.appointedOn, c.metadata);
  notBeforeLast('appointedOn', c.data.appointedOn, s);
  return [{ type: 'TerritoryCoLeadsAppointed', data: { ...c.data } }];
};

const appointProjectLead = (c: AppointProjectLead, state: Territory): TerritoryEvent[] => {
  const s = active(state, c.data.territoryId);
  assertInProgramme('appointedOn', c.data.appointedOn, c.metadata);
  notBeforeLast('appointedOn', c.data.appointedOn, s);
  const funders = c.data.cofinancing;
  if (funders.length < 2)
    throw validationError('cofinancing: a co-financed project lead has at least two funders', {
      field: 'cofinancing',
      rule: 'co-financed',
    });
  const names = new Set<string>();
  for (const f of funders) {
    if (names.has(f.funder))
      throw validationError(`cofinancing: ${f.funder} is listed twice`, { field: 'cofinancing' });
    names.add(f.funder);
  }
  return [
    {
      type: 'TerritoryProjectLeadAppointed',
      data: {
        territoryId: c.data.territoryId,
        lead: c.data.lead,
        appointedOn: c.data.appointedOn,
        cofinancing: funders.map((f) => ({ funder: f.funder, kind: f.kind, amountCents: toCents(f.amountEur) })),
      },
    },
  ];
};

const linkSuccession = (c: LinkSuccession, state: Territory): TerritoryEvent[] => {
  const s = active(state, c.data.territoryId);
  assertInProgramme('linkedOn', c.data.linkedOn, c.metadata);
  notBeforeLast('linkedOn', c.data.linkedOn, s);
  if (s.succeeds === c.data.succeeds) return []; // already so
  if (s.succeeds !== null)
    throw conflict(`territory ${s.id} already succeeds ${s.succeeds}`, { field: 'succeeds', succeeds: s.succeeds });
  return [{ type: 'TerritorySuccessionLinked', data: { ...c.data } }];
};

const withdraw = (c: WithdrawTerritory, state: Territory): TerritoryEvent[] => {
  const s = active(state, c.data.territoryId);
  assertInProgramme('withdrawnOn', c.data.withdrawnOn, c.metadata);
  notBeforeLast('withdrawnOn', c.data.withdrawnOn, s);
  return [{ type: 'TerritoryWithdrawn', data: { ...c.data } }];
};

export function decideTerritory(command: TerritoryCommand, state: Territory): TerritoryEvent[] {
  // A stream of the previous release holds one territory of one programme (docs/adr/0007).
  const p = command.metadata.programme;
  if (p && state.status !== 'Unknown' && state.programme !== p.id) {
    if (command.type === 'LabelTerritory')
      throw conflict(`territory ${command.data.territoryId} is already labelled in ${state.programme}`, {
        field: 'id',
        programme: state.programme,
      });
    throw notFound(`territory ${command.data.territoryId} does not exist in programme ${p.id}`);
  }
  switch (command.type) {
    case 'LabelTerritory':
      return label(command, state);
    case 'RenameTerritory':
      return rename(command, state);
    case 'ChangeTerritoryPerimeter':
      return changePerimeter(command, state);
    case 'SplitTerritory':
      return split(command, state);
    case 'AppointCoLeads':
      return appointCoLeads(command, state);
    case 'WithdrawTerritory':
      return withdraw(command, state);
    case 'AppointProjectLead':
      return appointProjectLead(command, state);
    case 'LinkSuccession':
      return linkSuccession(command, state);
    default:
      return assertNever(command);
  }
}
