import { applicationsProjection } from './applications/projection.ts';
import { auditProjection } from './audit/projection.ts';
import { contractsProjection } from './contracts/projection.ts';
import { projectsProjection } from './projects/projection.ts';
import { territoriesProjection } from './territories/projection.ts';
import { nfiPlansProjection } from './nfi-plans/projection.ts';
import { nfiPrioritiesProjection } from './nfi-priorities/projection.ts';
import type { Projection } from './types.ts';
import { polesProjection } from './poles/projection.ts';
import { poleContractsProjection } from './pole-contracts/projection.ts';
import { fuiProjection } from './fui/projection.ts';

/** Every projection the runner keeps up to date. */
export const allProjections: Projection[] = [
  territoriesProjection,
  contractsProjection,
  projectsProjection,
  auditProjection,
  applicationsProjection,
  nfiPlansProjection,
  nfiPrioritiesProjection,
  polesProjection,
  poleContractsProjection,
  fuiProjection,
];
