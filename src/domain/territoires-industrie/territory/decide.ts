import { regionInForce } from '../../kernel/regions.ts';
import {
  assertInProgramme,
  assertNever,
  conflict,
  notFound,
  validationError,
  type Command,
} from '../../kernel/shared.ts';
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

export type TerritoryCommand =
  LabelTerritory | RenameTerritory | ChangeTerritoryPerimeter | SplitTerritory | AppointCoLeads | WithdrawTerritory;

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
  return [{ type: 'TerritoryLabelled', data: { ...c.data } }];
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
    default:
      return assertNever(command);
  }
}
