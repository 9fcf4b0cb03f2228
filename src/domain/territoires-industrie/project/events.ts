import type { EventTypeSpec } from '../../registry.ts';
import { ProjectEventSchemas as S } from './project.ts';

const str = (v: unknown) => String(v);
const eur = (cents: unknown) => (Number(cents) / 100).toFixed(2);

export const projectEventTypes: Record<string, EventTypeSpec> = {
  ProjectRegistered: {
    version: 1,
    schema: S.ProjectRegistered,
    occurredOn: (d) => str(d.registeredOn),
    summary: (d) =>
      `Project ${str(d.projectId)} "${str(d.title)}" (${str(d.axis)}) registered in territory ${str(d.territoryId)}`,
  },
  ProjectFundingGranted: {
    version: 1,
    schema: S.ProjectFundingGranted,
    occurredOn: (d) => str(d.grantedOn),
    summary: (d) => `Project ${str(d.projectId)} funded by ${str(d.source)}: ${eur(d.amountCents)} EUR`,
  },
  ProjectStarted: {
    version: 1,
    schema: S.ProjectStarted,
    occurredOn: (d) => str(d.startedOn),
    summary: (d) => `Project ${str(d.projectId)} started`,
  },
  ProjectCompleted: {
    version: 1,
    schema: S.ProjectCompleted,
    occurredOn: (d) => str(d.completedOn),
    summary: (d) => `Project ${str(d.projectId)} completed`,
  },
  ProjectAbandoned: {
    version: 1,
    schema: S.ProjectAbandoned,
    occurredOn: (d) => str(d.abandonedOn),
    summary: (d) => `Project ${str(d.projectId)} abandoned: ${str(d.reason)}`,
  },
};
