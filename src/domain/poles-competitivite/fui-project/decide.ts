import { amountCents, notBeforeLast } from '../../kernel/commitments.ts';
import { isKnownRegion, mayActFor } from '../../kernel/regions.ts';
import {
  assertInProgramme,
  assertNever,
  conflict,
  forbidden,
  notFound,
  validationError,
  type Command,
} from '../../kernel/shared.ts';
import type { ImpactIndicator } from '../contract/contract.ts';
import type { FuiCall } from '../fui-call/call.ts';
import { PHASE3_STARTS } from '../ids.ts';
import { labelOn, type KnownPole, type Pole } from '../pole/pole.ts';
import type { FuiProject, FuiProjectEvent, KnownFuiProject, Member } from './project.ts';

/** FUI project commands and `decide`. Pure: the call and the labelling pôles arrive as facts read by the shell. */

export type SubmitFuiProject = Command<
  'SubmitFuiProject',
  {
    projectId: string;
    callNumber: number;
    title: string;
    consortium: Member[];
    labellingPoles: string[];
    budgetEur: number;
    impactObjectives?: { indicator: ImpactIndicator; target: number }[] | undefined;
    submittedOn: string;
    synthetic?: boolean | undefined;
    /** The call and each labelling pôle as recorded when the project is submitted. */
    call: FuiCall;
    poles: Record<string, Pole>;
  }
>;
export type SelectFuiProject = Command<
  'SelectFuiProject',
  { projectId: string; stateGrantEur: number; selectedOn: string; call: FuiCall }
>;
export type RejectFuiProject = Command<
  'RejectFuiProject',
  { projectId: string; rejectedOn: string; reason: string; call: FuiCall }
>;
export type CoFundFuiProject = Command<
  'CoFundFuiProject',
  { projectId: string; regionCode: string; officerRegions: readonly string[]; amountEur: number; decidedOn: string }
>;
export type StartFuiProject = Command<'StartFuiProject', { projectId: string; startedOn: string }>;
export type CompleteFuiProject = Command<'CompleteFuiProject', { projectId: string; completedOn: string }>;
export type ReportFuiProjectImpact = Command<
  'ReportFuiProjectImpact',
  { projectId: string; reportedOn: string; productsServices: number; jobs: number; revenueEur: number; patents: number }
>;
export type FuiProjectCommand =
  | SubmitFuiProject
  | SelectFuiProject
  | RejectFuiProject
  | CoFundFuiProject
  | StartFuiProject
  | CompleteFuiProject
  | ReportFuiProjectImpact;

/** A refusal by one of the FUI's rules: 422 naming the rule. */
const rule = (name: string, message: string, field = 'consortium') => validationError(message, { field, rule: name });

function known(state: FuiProject, id: string): KnownFuiProject {
  if (state.status === 'Unknown') throw notFound(`FUI project ${id} does not exist`);
  return state;
}
function wrongStatus(s: KnownFuiProject, what: string): never {
  throw conflict(`FUI project ${s.id} is ${s.status.toLowerCase()}: ${what}`, {
    currentStatus: s.status.toLowerCase(),
  });
}

const submit = (c: SubmitFuiProject, state: FuiProject): FuiProjectEvent[] => {
  const d = c.data;
  if (state.status !== 'Unknown') throw conflict(`FUI project ${d.projectId} already exists`);
  assertInProgramme('submittedOn', d.submittedOn, c.metadata);
  const firms = d.consortium.filter((m) => m.kind === 'firm');
  const labs = d.consortium.filter((m) => m.kind === 'lab');
  const leads = d.consortium.filter((m) => m.lead);
  if (firms.length < 2)
    throw rule('at-least-two-firms', `a FUI project has at least two firms in its consortium (${firms.length} given)`);
  if (labs.length < 1)
    throw rule('at-least-one-lab', 'a FUI project has at least one lab in its consortium (none given)');
  if (leads.length !== 1) throw rule('one-lead', `a FUI project has exactly one lead (${leads.length} given)`);
  if (leads[0]!.kind !== 'firm')
    throw rule('firm-as-lead', `the lead of a FUI project is a firm, not a lab (${leads[0]!.name})`);
  for (const f of firms) {
    if (f.siren === null) throw rule('firm-siren', `firm ${f.name} needs its SIREN`);
    if (f.size === null) throw rule('firm-size', `firm ${f.name} needs its size (sme, eti or large)`);
  }
  for (const l of labs) if (l.size !== null) throw rule('lab-size', `lab ${l.name} has no firm size`);
  if (d.labellingPoles.length === 0)
    throw rule('labelled-by-a-pole', 'a FUI project is labelled by at least one pôle', 'labellingPoles');
  for (const id of d.labellingPoles) {
    const p = d.poles[id];
    if (!p || p.status === 'Unknown') throw notFound(`pôle ${id} does not exist`);
    if (!labelOn(p, d.submittedOn))
      throw rule(
        'pole-label-holds',
        `pôle ${id} holds no label on ${d.submittedOn}${p.closedOn && p.closedOn <= d.submittedOn ? ` (${p.closedBy === 'merged' ? 'merged' : 'delabelled'} on ${p.closedOn})` : ''}: it labels no project`,
        'labellingPoles',
      );
  }
  const call = d.call;
  if (call.status === 'Unknown') throw notFound(`FUI call ${d.callNumber} does not exist`);
  if (d.submittedOn < call.opensOn || d.submittedOn > call.closesOn)
    throw rule(
      'within-call-window',
      `submittedOn ${d.submittedOn} is outside call ${d.callNumber}'s window (${call.opensOn} to ${call.closesOn})`,
      'submittedOn',
    );
  const objectives = d.impactObjectives ?? [];
  if (d.submittedOn >= PHASE3_STARTS && objectives.length === 0)
    throw rule(
      'impact-objectives-from-phase-3',
      'from phase 3 (2013-01-09) a FUI project states its economic-impact objectives',
      'impactObjectives',
    );
  return [
    {
      type: 'FuiProjectSubmitted',
      data: {
        projectId: d.projectId,
        callNumber: d.callNumber,
        title: d.title,
        consortium: d.consortium,
        labellingPoles: d.labellingPoles,
        regionCode: (d.poles[d.labellingPoles[0]!] as KnownPole).mainRegion,
        budgetCents: amountCents('budgetEur', d.budgetEur),
        impactObjectives: objectives,
        submittedOn: d.submittedOn,
        synthetic: d.synthetic ?? false,
      },
    },
  ];
};

function selection(s: KnownFuiProject, call: FuiCall, field: string, on: string) {
  if (s.status !== 'Submitted') wrongStatus(s, 'it was decided already');
  if (call.status === 'Unknown') throw notFound(`FUI call ${s.callNumber} does not exist`);
  if (on <= call.closesOn)
    throw rule(
      'selection-after-window',
      `${field} ${on}: the selection comes after call ${s.callNumber}'s window closes (${call.closesOn})`,
      field,
    );
}

const select = (c: SelectFuiProject, state: FuiProject): FuiProjectEvent[] => {
  const s = known(state, c.data.projectId);
  assertInProgramme('selectedOn', c.data.selectedOn, c.metadata);
  selection(s, c.data.call, 'selectedOn', c.data.selectedOn);
  return [
    {
      type: 'FuiProjectSelected',
      data: {
        projectId: s.id,
        stateGrantCents: amountCents('stateGrantEur', c.data.stateGrantEur),
        selectedOn: c.data.selectedOn,
      },
    },
  ];
};

const reject = (c: RejectFuiProject, state: FuiProject): FuiProjectEvent[] => {
  const s = known(state, c.data.projectId);
  assertInProgramme('rejectedOn', c.data.rejectedOn, c.metadata);
  selection(s, c.data.call, 'rejectedOn', c.data.rejectedOn);
  return [
    { type: 'FuiProjectRejected', data: { projectId: s.id, rejectedOn: c.data.rejectedOn, reason: c.data.reason } },
  ];
};

const coFund = (c: CoFundFuiProject, state: FuiProject): FuiProjectEvent[] => {
  const s = known(state, c.data.projectId);
  const d = c.data;
  if (!isKnownRegion(d.regionCode))
    throw validationError(`regionCode: ${d.regionCode} is not a Region of INSEE's COG`, { field: 'regionCode' });
  if (!mayActFor(d.officerRegions, d.regionCode))
    throw forbidden(
      `you may decide only for region(s) ${d.officerRegions.join(', ') || '(none)'}, not ${d.regionCode}`,
    );
  if (s.status === 'Submitted' || s.status === 'Rejected')
    wrongStatus(s, 'a Region co-funds a project the State selected');
  if (s.coFunding.some((f) => f.regionCode === d.regionCode))
    throw conflict(`region ${d.regionCode} already co-funds FUI project ${s.id}`, {
      rule: 'one-co-funding-per-region',
    });
  assertInProgramme('decidedOn', d.decidedOn, c.metadata);
  if (d.decidedOn < (s.selectedOn ?? s.submittedOn))
    throw validationError(`decidedOn ${d.decidedOn} is before the State's selection (${s.selectedOn})`, {
      field: 'decidedOn',
    });
  return [
    {
      type: 'FuiProjectCoFunded',
      data: {
        projectId: s.id,
        regionCode: d.regionCode,
        amountCents: amountCents('amountEur', d.amountEur),
        decidedOn: d.decidedOn,
      },
    },
  ];
};

const start = (c: StartFuiProject, state: FuiProject): FuiProjectEvent[] => {
  const s = known(state, c.data.projectId);
  if (s.status !== 'Selected') wrongStatus(s, 'only a selected project starts');
  assertInProgramme('startedOn', c.data.startedOn, c.metadata);
  notBeforeLast('startedOn', c.data.startedOn, s.lastDate, 'project');
  return [{ type: 'FuiProjectStarted', data: { projectId: s.id, startedOn: c.data.startedOn } }];
};

const complete = (c: CompleteFuiProject, state: FuiProject): FuiProjectEvent[] => {
  const s = known(state, c.data.projectId);
  if (s.status !== 'Started') wrongStatus(s, 'only a started project completes');
  assertInProgramme('completedOn', c.data.completedOn, c.metadata);
  notBeforeLast('completedOn', c.data.completedOn, s.lastDate, 'project');
  return [{ type: 'FuiProjectCompleted', data: { projectId: s.id, completedOn: c.data.completedOn } }];
};

const impact = (c: ReportFuiProjectImpact, state: FuiProject): FuiProjectEvent[] => {
  const s = known(state, c.data.projectId);
  const d = c.data;
  if (s.status !== 'Completed') wrongStatus(s, 'economic impact is reported once the project is completed');
  assertInProgramme('reportedOn', d.reportedOn, c.metadata);
  notBeforeLast('reportedOn', d.reportedOn, s.lastDate, 'project');
  for (const f of ['productsServices', 'jobs', 'patents'] as const)
    if (!Number.isInteger(d[f]) || d[f] < 0)
      throw validationError(`${f} is a whole number, not negative`, { field: f });
  return [
    {
      type: 'FuiProjectImpactReported',
      data: {
        projectId: s.id,
        reportedOn: d.reportedOn,
        productsServices: d.productsServices,
        jobs: d.jobs,
        revenueCents: amountCents('revenueEur', d.revenueEur),
        patents: d.patents,
      },
    },
  ];
};

export function decideFuiProject(command: FuiProjectCommand, state: FuiProject): FuiProjectEvent[] {
  switch (command.type) {
    case 'SubmitFuiProject':
      return submit(command, state);
    case 'SelectFuiProject':
      return select(command, state);
    case 'RejectFuiProject':
      return reject(command, state);
    case 'CoFundFuiProject':
      return coFund(command, state);
    case 'StartFuiProject':
      return start(command, state);
    case 'CompleteFuiProject':
      return complete(command, state);
    case 'ReportFuiProjectImpact':
      return impact(command, state);
    default:
      return assertNever(command);
  }
}
