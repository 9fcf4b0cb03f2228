import { territoriesProjection } from './territories/projection.ts';
import type { Projection } from './types.ts';

/** Every projection the runner keeps up to date. */
export const allProjections: Projection[] = [territoriesProjection];
