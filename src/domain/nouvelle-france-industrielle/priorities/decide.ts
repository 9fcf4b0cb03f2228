import { region, regionInForce } from '../../kernel/regions.ts';
import { assertInProgramme, assertNever, type Command, type CommandMetadata } from '../../kernel/shared.ts';
import type { PlanFacts } from '../plans/plans.ts';
import { NFI_RULES as R, PLANS_PER_RANK, USINE_DU_FUTUR, invalid, notBefore, refuse, refused } from '../rules.ts';
import {
  choicesAt,
  type FirmSize,
  type MandatedRegion,
  type Priorities,
  type PrioritiesEvent,
  type Rank,
} from './priorities.ts';

/** Commands on a Region's priorities and `decide`: one small function per command. Pure. */

export type MandateRegion = Command<'MandateRegion', { regionCode: string; mandatedOn: string; roadmapDueOn: string }>;
export type ChoosePlan = Command<
  'ChoosePlan',
  { regionCode: string; planId: string; rank: Rank; chosenOn: string; plan: PlanFacts; synthetic?: boolean }
>;
export type WithdrawPlanChoice = Command<
  'WithdrawPlanChoice',
  { regionCode: string; planId: string; withdrawnOn: string }
>;
export type AppointRegionalPlanLead = Command<
  'AppointRegionalPlanLead',
  {
    regionCode: string;
    planId: string;
    person: string;
    company: string;
    siren: string;
    appointedOn: string;
    synthetic?: boolean;
  }
>;
export type SubmitRoadmap = Command<'SubmitRoadmap', { regionCode: string; submittedOn: string }>;
export type AcceptRoadmap = Command<'AcceptRoadmap', { regionCode: string; acceptedOn: string }>;
export type SendBackRoadmap = Command<'SendBackRoadmap', { regionCode: string; sentBackOn: string; reason: string }>;
export type SelectCompanyForUsineDuFutur = Command<
  'SelectCompanyForUsineDuFutur',
  { regionCode: string; siren: string; name: string; size: FirmSize; selectedOn: string; synthetic?: boolean }
>;

export type PrioritiesCommand =
  | MandateRegion
  | ChoosePlan
  | WithdrawPlanChoice
  | AppointRegionalPlanLead
  | SubmitRoadmap
  | AcceptRoadmap
  | SendBackRoadmap
  | SelectCompanyForUsineDuFutur;

function mandated(state: Priorities, code: string): MandatedRegion {
  if (state.status === 'Unknown')
    throw refuse('NOT_FOUND', R.notMandated, `region ${code} has no Nouvelle France industrielle mandate`);
  return state;
}

/**
 * A business date of a Region's record: within the programme, not before its mandate, and while
 * the Region of 2013 is in force (Lorraine's records end on 2016-01-01; Grand Est records them
 * for it, dated when Lorraine decided).
 */
function regionDate(field: string, date: string, s: MandatedRegion, meta: CommandMetadata): void {
  assertInProgramme(field, date, meta);
  notBefore(field, date, s.mandatedOn, `region ${s.regionCode} was mandated`, R.afterMandate);
  if (!regionInForce(s.regionCode, date)) {
    const r = region(s.regionCode);
    throw invalid(
      R.regionInForce,
      field,
      `${field} ${date}: region ${s.regionCode} is not in force on that date${r?.to ? ` (it became ${r.successor} on ${r.to})` : ''}`,
    );
  }
}

function choicesOpen(s: MandatedRegion): void {
  if (s.roadmap === 'submitted' || s.roadmap === 'accepted')
    throw refused(
      R.choicesLocked,
      `region ${s.regionCode}'s roadmap was ${s.roadmap === 'accepted' ? 'accepted' : 'submitted'}: its choices change only if the State sends it back`,
      { roadmapStatus: s.roadmap },
    );
}

const mandate = (c: MandateRegion, state: Priorities): PrioritiesEvent[] => {
  const d = c.data;
  if (state.status !== 'Unknown')
    throw refused(R.mandatedOnce, `region ${d.regionCode} was mandated on ${state.mandatedOn}`);
  assertInProgramme('mandatedOn', d.mandatedOn, c.metadata);
  const r = regionInForce(d.regionCode, d.mandatedOn);
  // the Regions of 2013: the metropolitan Regions in force on the programme's launch
  const launch = c.metadata.programme?.launchedOn ?? d.mandatedOn;
  if (!r || r.kind !== 'metropolitan' || !regionInForce(d.regionCode, launch))
    throw invalid(
      R.regionOf2013,
      'regionCode',
      `region ${d.regionCode} is not one of the 22 metropolitan Regions of 2013 in force on ${d.mandatedOn}`,
    );
  if (d.roadmapDueOn < d.mandatedOn)
    throw invalid(
      R.dueAfterMandate,
      'roadmapDueOn',
      `roadmapDueOn ${d.roadmapDueOn} is before mandatedOn ${d.mandatedOn}`,
    );
  return [{ type: 'RegionMandated', data: { ...d } }];
};

const choose = (c: ChoosePlan, state: Priorities): PrioritiesEvent[] => {
  const d = c.data;
  const s = mandated(state, d.regionCode);
  if (d.planId === USINE_DU_FUTUR)
    throw invalid(
      R.usineDuFutur,
      'planId',
      "Usine du futur is never chosen: it is every Region's by mandate (its firms are selected instead)",
    );
  regionDate('chosenOn', d.chosenOn, s, c.metadata);
  const p = d.plan;
  if (p.name === null || p.launchedOn === null)
    throw invalid(R.planUnknown, 'planId', `plan ${d.planId} does not exist`);
  if (d.chosenOn < p.launchedOn)
    throw invalid(
      R.planUnknown,
      'chosenOn',
      `plan ${d.planId} did not exist on ${d.chosenOn} (launched ${p.launchedOn})`,
    );
  if (p.regroupedOn !== null && p.regroupedOn <= d.chosenOn)
    throw refused(R.planRegrouped, `plan ${d.planId} was regrouped on ${p.regroupedOn}: it can no longer be chosen`, {
      regroupedOn: p.regroupedOn,
    });
  choicesOpen(s);
  const held = s.choices.get(d.planId);
  if (held)
    throw refused(
      R.oneRankPerPlan,
      `region ${s.regionCode} chose plan ${d.planId} at rank ${held.rank} on ${held.chosenOn}: a plan holds one rank in a Region`,
      { rank: held.rank },
    );
  const n = choicesAt(s, d.rank).length;
  if (n >= PLANS_PER_RANK)
    throw refused(
      R.fivePerRank,
      `region ${s.regionCode} already holds ${n} plans of rank ${d.rank}: at most ${PLANS_PER_RANK} of each rank`,
      { rank: d.rank },
    );
  return [
    {
      type: 'PlanChosen',
      data: {
        regionCode: s.regionCode,
        planId: d.planId,
        planName: p.name,
        rank: d.rank,
        chosenOn: d.chosenOn,
        ...(d.synthetic ? { synthetic: true } : {}),
      },
    },
  ];
};

function choice(s: MandatedRegion, planId: string) {
  const ch = s.choices.get(planId);
  if (!ch) throw refused(R.notChosen, `region ${s.regionCode} has not chosen plan ${planId}`);
  return ch;
}

const withdraw = (c: WithdrawPlanChoice, state: Priorities): PrioritiesEvent[] => {
  const d = c.data;
  const s = mandated(state, d.regionCode);
  const ch = choice(s, d.planId);
  choicesOpen(s);
  regionDate('withdrawnOn', d.withdrawnOn, s, c.metadata);
  notBefore('withdrawnOn', d.withdrawnOn, ch.chosenOn, 'the plan was chosen');
  return [
    {
      type: 'PlanChoiceWithdrawn',
      data: { regionCode: s.regionCode, planId: d.planId, rank: ch.rank, withdrawnOn: d.withdrawnOn },
    },
  ];
};

const appointLead = (c: AppointRegionalPlanLead, state: Priorities): PrioritiesEvent[] => {
  const d = c.data;
  const s = mandated(state, d.regionCode);
  const ch = choice(s, d.planId);
  choicesOpen(s);
  regionDate('appointedOn', d.appointedOn, s, c.metadata);
  notBefore('appointedOn', d.appointedOn, ch.chosenOn, 'the plan was chosen');
  const { synthetic, ...rest } = d;
  return [
    {
      type: 'RegionalPlanLeadAppointed',
      data: { ...rest, regionCode: s.regionCode, ...(synthetic ? { synthetic: true } : {}) },
    },
  ];
};

const submit = (c: SubmitRoadmap, state: Priorities): PrioritiesEvent[] => {
  const d = c.data;
  const s = mandated(state, d.regionCode);
  if (s.roadmap === 'submitted' || s.roadmap === 'accepted')
    throw refused(R.roadmapStatus, `region ${s.regionCode}'s roadmap was already ${s.roadmap}`, {
      roadmapStatus: s.roadmap,
    });
  const r1 = choicesAt(s, 1).length;
  const r2 = choicesAt(s, 2).length;
  if (r1 !== PLANS_PER_RANK || r2 !== PLANS_PER_RANK)
    throw refused(
      R.roadmapFivePlusFive,
      `a roadmap holds ${PLANS_PER_RANK} plans of rank 1 and ${PLANS_PER_RANK} of rank 2; region ${s.regionCode} holds ${r1} + ${r2} (${r1 + r2} choices)`,
      { rank1: r1, rank2: r2 },
    );
  const leaderless = [...s.choices.values()].filter((ch) => ch.lead === null).map((ch) => ch.planId);
  if (leaderless.length > 0)
    throw refused(
      R.roadmapLeads,
      `every choice needs its SME leader before the roadmap is submitted; none for: ${leaderless.join(', ')}`,
      {
        plans: leaderless,
      },
    );
  regionDate('submittedOn', d.submittedOn, s, c.metadata);
  notBefore('submittedOn', d.submittedOn, s.choicesLastDate, "the roadmap's last choice or lead");
  notBefore('submittedOn', d.submittedOn, s.roadmapLastDate, "the roadmap's last step");
  const choices = [...s.choices.values()]
    .sort((a, b) => a.rank - b.rank || a.planId.localeCompare(b.planId))
    .map((ch) => ({ planId: ch.planId, rank: ch.rank }));
  return [
    {
      type: 'RoadmapSubmitted',
      data: {
        regionCode: s.regionCode,
        submittedOn: d.submittedOn,
        dueOn: s.dueOn,
        late: d.submittedOn > s.dueOn,
        choices,
      },
    },
  ];
};

function submitted(s: MandatedRegion, what: string): string {
  if (s.roadmap !== 'submitted' || s.submittedOn === null)
    throw refused(
      R.roadmapStatus,
      `region ${s.regionCode}'s roadmap is ${s.roadmap}: only a submitted roadmap can be ${what}`,
      {
        roadmapStatus: s.roadmap,
      },
    );
  return s.submittedOn;
}

const accept = (c: AcceptRoadmap, state: Priorities): PrioritiesEvent[] => {
  const d = c.data;
  const s = mandated(state, d.regionCode);
  const on = submitted(s, 'accepted');
  assertInProgramme('acceptedOn', d.acceptedOn, c.metadata);
  notBefore('acceptedOn', d.acceptedOn, on, 'the roadmap was submitted');
  return [{ type: 'RoadmapAccepted', data: { regionCode: s.regionCode, acceptedOn: d.acceptedOn } }];
};

const sendBack = (c: SendBackRoadmap, state: Priorities): PrioritiesEvent[] => {
  const d = c.data;
  const s = mandated(state, d.regionCode);
  const on = submitted(s, 'sent back');
  assertInProgramme('sentBackOn', d.sentBackOn, c.metadata);
  notBefore('sentBackOn', d.sentBackOn, on, 'the roadmap was submitted');
  return [{ type: 'RoadmapSentBack', data: { regionCode: s.regionCode, sentBackOn: d.sentBackOn, reason: d.reason } }];
};

const selectFirm = (c: SelectCompanyForUsineDuFutur, state: Priorities): PrioritiesEvent[] => {
  const d = c.data;
  const s = mandated(state, d.regionCode);
  if (s.firms.has(d.siren))
    throw refused(R.firmOnce, `company ${d.siren} is already selected for Usine du futur in region ${s.regionCode}`);
  regionDate('selectedOn', d.selectedOn, s, c.metadata);
  const { synthetic, ...rest } = d;
  return [
    {
      type: 'CompanySelectedForUsineDuFutur',
      data: { ...rest, regionCode: s.regionCode, ...(synthetic ? { synthetic: true } : {}) },
    },
  ];
};

export function decidePriorities(command: PrioritiesCommand, state: Priorities): PrioritiesEvent[] {
  switch (command.type) {
    case 'MandateRegion':
      return mandate(command, state);
    case 'ChoosePlan':
      return choose(command, state);
    case 'WithdrawPlanChoice':
      return withdraw(command, state);
    case 'AppointRegionalPlanLead':
      return appointLead(command, state);
    case 'SubmitRoadmap':
      return submit(command, state);
    case 'AcceptRoadmap':
      return accept(command, state);
    case 'SendBackRoadmap':
      return sendBack(command, state);
    case 'SelectCompanyForUsineDuFutur':
      return selectFirm(command, state);
    default:
      return assertNever(command);
  }
}
