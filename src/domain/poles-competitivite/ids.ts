import { z } from 'zod';

/** Ids of the pôles de compétitivité programme's aggregates (unique within the programme). */
export const PoleId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be 1-64 lower-case letters, digits and hyphens');
export const PerformanceContractId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1-64 letters, digits, _ . : -');
export const FuiProjectId = PerformanceContractId;
export const FuiCallNumber = z.number().int().min(1).max(99);

/** The programme's id in the catalogue. */
export const POLES_PROGRAMME = 'poles-competitivite';
/** Phase 3 (2013–2018) starts on the Council of Ministers of 2013-01-09: projects are judged on economic impact. */
export const PHASE3_STARTS = '2013-01-09';
