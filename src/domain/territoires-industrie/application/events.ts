import type { EventTypeSpec } from '../../registry.ts';
import { ApplicationEventSchemas as S } from './application.ts';

const str = (v: unknown) => String(v);

export const applicationEventTypes: Record<string, EventTypeSpec> = {
  ApplicationSubmitted: {
    version: 1,
    schema: S.ApplicationSubmitted,
    occurredOn: (d) => str(d.submittedOn),
    summary: (d) =>
      `Candidate territory ${str(d.applicationId)} "${str(d.name)}" applied to ${str(d.programme)} (region ${str(d.regionCode)})`,
  },
  ApplicationSelected: {
    version: 1,
    schema: S.ApplicationSelected,
    occurredOn: (d) => str(d.selectedOn),
    summary: (d) => `Application ${str(d.applicationId)} selected`,
  },
  ApplicationNotSelected: {
    version: 1,
    schema: S.ApplicationNotSelected,
    occurredOn: (d) => str(d.decidedOn),
    summary: (d) => `Application ${str(d.applicationId)} not selected`,
  },
};
