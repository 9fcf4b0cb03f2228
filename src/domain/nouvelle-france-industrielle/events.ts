import type { EventTypeSpec } from '../registry.ts';
import { PlansEventSchemas as P } from './plans/plans.ts';
import { PrioritiesEventSchemas as Q } from './priorities/priorities.ts';

const str = (v: unknown) => String(v);

export const plansEventTypes: Record<string, EventTypeSpec> = {
  PlanLaunched: {
    version: 1,
    schema: P.PlanLaunched,
    occurredOn: (d) => str(d.launchedOn),
    summary: (d) => `Plan ${str(d.planId)} "${str(d.name)}" launched`,
  },
  PlanLeadAppointed: {
    version: 1,
    schema: P.PlanLeadAppointed,
    occurredOn: (d) => str(d.appointedOn),
    summary: (d) =>
      `Plan ${str(d.planId)} led by ${(d.leads as { name: string; organisation: string }[])
        .map((l) => `${l.name} (${l.organisation})`)
        .join(' and ')}`,
  },
  PlanRenamed: {
    version: 1,
    schema: P.PlanRenamed,
    occurredOn: (d) => str(d.renamedOn),
    summary: (d) => `Plan ${str(d.planId)} renamed "${str(d.name)}" (was "${str(d.previousName)}")`,
  },
  PlanRoadmapValidated: {
    version: 1,
    schema: P.PlanRoadmapValidated,
    occurredOn: (d) => str(d.committeeOn),
    summary: (d) => `Plan ${str(d.planId)}'s roadmap validated by the steering committee`,
  },
  PlansRegrouped: {
    version: 1,
    schema: P.PlansRegrouped,
    occurredOn: (d) => str(d.regroupedOn),
    summary: (d) => `The plans regrouped into ${(d.groupings as unknown[]).length} groupings`,
  },
};

export const prioritiesEventTypes: Record<string, EventTypeSpec> = {
  RegionMandated: {
    version: 1,
    schema: Q.RegionMandated,
    occurredOn: (d) => str(d.mandatedOn),
    summary: (d) => `Region ${str(d.regionCode)} mandated, roadmap due ${str(d.roadmapDueOn)}`,
  },
  PlanChosen: {
    version: 1,
    schema: Q.PlanChosen,
    occurredOn: (d) => str(d.chosenOn),
    summary: (d) => `Region ${str(d.regionCode)} chose plan ${str(d.planId)} at rank ${str(d.rank)}`,
  },
  PlanChoiceWithdrawn: {
    version: 1,
    schema: Q.PlanChoiceWithdrawn,
    occurredOn: (d) => str(d.withdrawnOn),
    summary: (d) => `Region ${str(d.regionCode)} withdrew its choice of plan ${str(d.planId)}`,
  },
  RegionalPlanLeadAppointed: {
    version: 1,
    schema: Q.RegionalPlanLeadAppointed,
    occurredOn: (d) => str(d.appointedOn),
    summary: (d) =>
      `Region ${str(d.regionCode)} named ${str(d.person)} (${str(d.company)}, ${str(d.siren)}) to lead plan ${str(d.planId)}`,
  },
  RoadmapSubmitted: {
    version: 1,
    schema: Q.RoadmapSubmitted,
    occurredOn: (d) => str(d.submittedOn),
    summary: (d) => `Region ${str(d.regionCode)} submitted its roadmap${d.late ? ' (late)' : ''}`,
  },
  RoadmapAccepted: {
    version: 1,
    schema: Q.RoadmapAccepted,
    occurredOn: (d) => str(d.acceptedOn),
    summary: (d) => `Region ${str(d.regionCode)}'s roadmap accepted by the State`,
  },
  RoadmapSentBack: {
    version: 1,
    schema: Q.RoadmapSentBack,
    occurredOn: (d) => str(d.sentBackOn),
    summary: (d) => `Region ${str(d.regionCode)}'s roadmap sent back: ${str(d.reason)}`,
  },
  CompanySelectedForUsineDuFutur: {
    version: 1,
    schema: Q.CompanySelectedForUsineDuFutur,
    occurredOn: (d) => str(d.selectedOn),
    summary: (d) =>
      `Region ${str(d.regionCode)} selected ${str(d.name)} (${str(d.siren)}, ${str(d.size)}) for Usine du futur`,
  },
};
