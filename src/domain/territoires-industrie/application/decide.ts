import { regionInForce } from '../../kernel/regions.ts';
import {
  assertInProgramme,
  assertNever,
  conflict,
  notFound,
  validationError,
  type Command,
} from '../../kernel/shared.ts';
import type { Epci } from '../territory/territory.ts';
import type { LabelTerritory } from '../territory/decide.ts';
import type { Application, ApplicationEvent } from './application.ts';
import type { CallForApplications } from './call.ts';

/** Application commands and `decide`: one small function per command. Pure. */

/** The window a command is checked against (the shell looks the programme's call up). */
type Call = Pick<CallForApplications, 'opensOn' | 'closesOn'>;

export type SubmitApplication = Command<
  'SubmitApplication',
  {
    applicationId: string;
    programme: string;
    name: string;
    regionCode: string;
    epcis: Epci[];
    submittedOn: string;
    succeeds?: string;
    synthetic?: boolean;
    call: Call | null;
  }
>;
export type SelectApplication = Command<'SelectApplication', { applicationId: string; selectedOn: string; call: Call }>;
export type DeclineApplication = Command<
  'DeclineApplication',
  { applicationId: string; decidedOn: string; reason?: string; call: Call }
>;

export type ApplicationCommand = SubmitApplication | SelectApplication | DeclineApplication;

const submit = (c: SubmitApplication, state: Application): ApplicationEvent[] => {
  const d = c.data;
  if (state.status !== 'Unknown')
    throw conflict(`candidate territory ${d.applicationId} has already applied to ${state.programme}`, {
      field: 'id',
      rule: 'one-application-per-candidate',
    });
  const p = c.metadata.programme;
  if (p && p.id !== d.programme)
    throw validationError(`programme: the command names ${d.programme} but is checked against ${p.id}`, {
      field: 'programme',
    });
  if (!d.call)
    throw validationError(`programme: ${d.programme} has no call for applications`, {
      field: 'programme',
      rule: 'call-for-applications',
    });
  assertInProgramme('submittedOn', d.submittedOn, c.metadata);
  if (d.submittedOn < d.call.opensOn || d.submittedOn > d.call.closesOn)
    throw validationError(
      `submittedOn ${d.submittedOn} is outside the call for applications of ${d.programme} (${d.call.opensOn} to ${d.call.closesOn})`,
      { field: 'submittedOn', rule: 'call-window', opensOn: d.call.opensOn, closesOn: d.call.closesOn },
    );
  if (!regionInForce(d.regionCode, d.submittedOn))
    throw validationError(`regionCode ${d.regionCode} is not a Region in force on ${d.submittedOn} (INSEE COG)`, {
      field: 'regionCode',
    });
  if (d.epcis.length === 0) throw validationError('epcis: a candidate holds at least one EPCI', { field: 'epcis' });
  const seen = new Set<string>();
  for (const e of d.epcis) {
    if (seen.has(e.siren)) throw validationError(`epcis: EPCI ${e.siren} is listed twice`, { field: 'epcis' });
    seen.add(e.siren);
  }
  const { call: _call, ...data } = d;
  return [{ type: 'ApplicationSubmitted', data }];
};

/** The decision on an application: dated after the call closed, not before the submission. */
function decisionDate(
  field: string,
  date: string,
  call: Call,
  s: Exclude<Application, { status: 'Unknown' }>,
  c: SelectApplication | DeclineApplication,
) {
  assertInProgramme(field, date, c.metadata);
  if (date <= call.closesOn)
    throw validationError(`${field} ${date}: applications are decided after the call closes (${call.closesOn})`, {
      field,
      rule: 'decided-after-call',
      closesOn: call.closesOn,
    });
  if (date < s.submittedOn)
    throw validationError(`${field} ${date} is before the application was submitted (${s.submittedOn})`, { field });
}

const select = (c: SelectApplication, state: Application): ApplicationEvent[] => {
  if (state.status === 'Unknown') throw notFound(`application ${c.data.applicationId} does not exist`);
  if (state.status === 'Selected') return []; // already so: nothing to record
  if (state.status === 'NotSelected')
    throw conflict(`application ${c.data.applicationId} was not selected (${state.decidedOn})`, {
      currentStatus: state.status,
    });
  decisionDate('selectedOn', c.data.selectedOn, c.data.call, state, c);
  return [
    { type: 'ApplicationSelected', data: { applicationId: c.data.applicationId, selectedOn: c.data.selectedOn } },
  ];
};

const decline = (c: DeclineApplication, state: Application): ApplicationEvent[] => {
  if (state.status === 'Unknown') throw notFound(`application ${c.data.applicationId} does not exist`);
  if (state.status === 'NotSelected') return [];
  if (state.status === 'Selected')
    throw conflict(`application ${c.data.applicationId} was selected (${state.selectedOn})`, {
      currentStatus: state.status,
    });
  decisionDate('decidedOn', c.data.decidedOn, c.data.call, state, c);
  const { call: _call, ...data } = c.data;
  return [{ type: 'ApplicationNotSelected', data }];
};

export function decideApplication(command: ApplicationCommand, state: Application): ApplicationEvent[] {
  const p = command.metadata.programme;
  if (p && state.status !== 'Unknown' && state.programme !== p.id)
    throw notFound(`application ${command.data.applicationId} does not exist in programme ${p.id}`);
  switch (command.type) {
    case 'SubmitApplication':
      return submit(command, state);
    case 'SelectApplication':
      return select(command, state);
    case 'DeclineApplication':
      return decline(command, state);
    default:
      return assertNever(command);
  }
}

/** What the territory's labelling needs to know of the application it comes from. */
export interface ApplicationFacts {
  applicationId: string;
  status: Application['status'];
  selectedOn: string | null;
}

export const applicationFacts = (a: Application, id: string): ApplicationFacts => ({
  applicationId: id,
  status: a.status,
  selectedOn: a.status === 'Selected' ? a.selectedOn : null,
});

/**
 * The labelling of a selected application's territory: the territory labelled with the
 * application's id, name, Region, EPCIs and `succeeds`. The territory decider checks the
 * application is selected and the date (`LabelTerritory.data.fromApplication`).
 */
export function labellingOf(
  a: Application,
  id: string,
  labelledOn: string,
  metadata: LabelTerritory['metadata'],
): LabelTerritory {
  if (a.status === 'Unknown') throw notFound(`application ${id} does not exist`);
  return {
    type: 'LabelTerritory',
    data: {
      territoryId: a.id,
      programme: a.programme,
      name: a.name,
      regionCode: a.regionCode,
      epcis: a.epcis,
      labelledOn,
      ...(a.succeeds ? { succeeds: a.succeeds } : {}),
      ...(a.synthetic ? { synthetic: true } : {}),
      fromApplication: applicationFacts(a, id),
    },
    metadata,
  };
}
