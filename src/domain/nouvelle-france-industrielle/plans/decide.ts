import { assertInProgramme, assertNever, type Command } from '../../kernel/shared.ts';
import { NFI_RULES as R, invalid, notBefore, refuse, refused } from '../rules.ts';
import { groupingOf, type Grouping, type NationalLead, type Plan, type Plans, type PlansEvent } from './plans.ts';

/** Commands on the national plans and `decide`: one small function per command. Pure. */

export type LaunchPlan = Command<
  'LaunchPlan',
  { planId: string; name: string; launchedOn: string; synthetic?: boolean }
>;
export type AppointPlanLeads = Command<
  'AppointPlanLeads',
  { planId: string; leads: NationalLead[]; appointedOn: string }
>;
export type RenamePlan = Command<'RenamePlan', { planId: string; name: string; renamedOn: string }>;
export type ValidatePlanRoadmap = Command<'ValidatePlanRoadmap', { planId: string; committeeOn: string }>;
export type RegroupPlans = Command<
  'RegroupPlans',
  { regroupedOn: string; groupings: Grouping[]; unsourcedPlacements?: string[] }
>;

export type PlansCommand = LaunchPlan | AppointPlanLeads | RenamePlan | ValidatePlanRoadmap | RegroupPlans;

function notRegrouped(state: Plans, planId: string): void {
  if (!state.regrouping) return;
  const g = groupingOf(state, planId);
  throw refused(
    R.planRegrouped,
    `plan ${planId} was regrouped${g ? ` into ${g.name}` : ''} on ${state.regrouping.regroupedOn}: the 34 plans no longer change`,
    { regroupedOn: state.regrouping.regroupedOn },
  );
}

function plan(state: Plans, planId: string): Plan {
  const p = state.plans.get(planId);
  if (!p) throw refuse('NOT_FOUND', R.planUnknown, `plan ${planId} does not exist`);
  return p;
}

const nameTaken = (state: Plans, name: string, except?: string) =>
  [...state.plans.values()].find((p) => p.id !== except && p.name.toLowerCase() === name.toLowerCase());

const launch = (c: LaunchPlan, state: Plans): PlansEvent[] => {
  const d = c.data;
  if (state.regrouping)
    throw refused(
      R.planRegrouped,
      `the plans were regrouped on ${state.regrouping.regroupedOn}: no plan is launched after`,
    );
  if (state.plans.has(d.planId)) throw refused(R.planIdTaken, `plan ${d.planId} already exists`);
  const other = nameTaken(state, d.name);
  if (other) throw refused(R.planNameTaken, `plan ${other.id} is already named "${other.name}"`);
  assertInProgramme('launchedOn', d.launchedOn, c.metadata);
  return [
    {
      type: 'PlanLaunched',
      data: { planId: d.planId, name: d.name, launchedOn: d.launchedOn, ...(d.synthetic ? { synthetic: true } : {}) },
    },
  ];
};

const appointLeads = (c: AppointPlanLeads, state: Plans): PlansEvent[] => {
  const d = c.data;
  const p = plan(state, d.planId);
  notRegrouped(state, d.planId);
  if (d.leads.length < 1 || d.leads.length > 2)
    throw invalid(R.planLeads, 'leads', `a plan has one or two national project heads, not ${d.leads.length}`);
  assertInProgramme('appointedOn', d.appointedOn, c.metadata);
  notBefore('appointedOn', d.appointedOn, p.launchedOn, `plan ${p.id} was launched`);
  return [{ type: 'PlanLeadAppointed', data: { planId: d.planId, leads: d.leads, appointedOn: d.appointedOn } }];
};

const rename = (c: RenamePlan, state: Plans): PlansEvent[] => {
  const d = c.data;
  const p = plan(state, d.planId);
  notRegrouped(state, d.planId);
  if (p.name === d.name) throw refused(R.renameSameName, `plan ${p.id} is already named "${p.name}"`);
  const other = nameTaken(state, d.name, p.id);
  if (other) throw refused(R.planNameTaken, `plan ${other.id} is already named "${other.name}"`);
  assertInProgramme('renamedOn', d.renamedOn, c.metadata);
  notBefore('renamedOn', d.renamedOn, p.lastDate, `the plan's last recorded change`);
  return [{ type: 'PlanRenamed', data: { planId: p.id, name: d.name, previousName: p.name, renamedOn: d.renamedOn } }];
};

const validateRoadmap = (c: ValidatePlanRoadmap, state: Plans): PlansEvent[] => {
  const d = c.data;
  const p = plan(state, d.planId);
  notRegrouped(state, d.planId);
  if (p.roadmapValidatedOn)
    throw refused(R.roadmapValidatedOnce, `plan ${p.id}'s roadmap was validated on ${p.roadmapValidatedOn}`, {
      validatedOn: p.roadmapValidatedOn,
    });
  assertInProgramme('committeeOn', d.committeeOn, c.metadata);
  notBefore('committeeOn', d.committeeOn, p.launchedOn, `plan ${p.id} was launched`);
  return [{ type: 'PlanRoadmapValidated', data: { planId: p.id, committeeOn: d.committeeOn } }];
};

const regroup = (c: RegroupPlans, state: Plans): PlansEvent[] => {
  const d = c.data;
  if (state.regrouping)
    throw refused(R.regroupedOnce, `the plans were regrouped on ${state.regrouping.regroupedOn}`, {
      regroupedOn: state.regrouping.regroupedOn,
    });
  if (state.plans.size === 0) throw refused(R.regroupEachPlanOnce, 'there is no plan to regroup');
  assertInProgramme('regroupedOn', d.regroupedOn, c.metadata);
  const ids = new Set<string>();
  for (const g of d.groupings) {
    if (ids.has(g.solutionId))
      throw invalid(R.regroupEachPlanOnce, 'groupings', `grouping ${g.solutionId} is given twice`);
    ids.add(g.solutionId);
  }
  const into = new Map<string, string>();
  for (const g of d.groupings)
    for (const id of g.plans) {
      if (!state.plans.has(id))
        throw invalid(R.planUnknown, 'groupings', `plan ${id} (in ${g.solutionId}) does not exist`);
      const before = into.get(id);
      if (before)
        throw invalid(
          R.regroupEachPlanOnce,
          'groupings',
          `plan ${id} is in ${before} and in ${g.solutionId}: each plan goes into one`,
        );
      into.set(id, g.solutionId);
    }
  const missing = [...state.plans.keys()].filter((id) => !into.has(id));
  if (missing.length > 0)
    throw invalid(
      R.regroupEachPlanOnce,
      'groupings',
      `every plan goes into one grouping; missing: ${missing.join(', ')}`,
      {
        missing,
      },
    );
  const last = [...state.plans.values()].reduce((a, p) => (p.lastDate > a ? p.lastDate : a), '');
  notBefore('regroupedOn', d.regroupedOn, last, 'the last recorded change of a plan');
  const unsourced = [...new Set(d.unsourcedPlacements ?? [])];
  for (const id of unsourced)
    if (!into.has(id)) throw invalid(R.planUnknown, 'unsourcedPlacements', `plan ${id} does not exist`);
  return [
    {
      type: 'PlansRegrouped',
      data: { regroupedOn: d.regroupedOn, groupings: d.groupings, unsourcedPlacements: unsourced },
    },
  ];
};

export function decidePlans(command: PlansCommand, state: Plans): PlansEvent[] {
  switch (command.type) {
    case 'LaunchPlan':
      return launch(command, state);
    case 'AppointPlanLeads':
      return appointLeads(command, state);
    case 'RenamePlan':
      return rename(command, state);
    case 'ValidatePlanRoadmap':
      return validateRoadmap(command, state);
    case 'RegroupPlans':
      return regroup(command, state);
    default:
      return assertNever(command);
  }
}
