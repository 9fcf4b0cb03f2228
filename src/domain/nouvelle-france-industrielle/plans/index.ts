import type { Decider } from '../../kernel/decider.ts';
import { decidePlans, type PlansCommand } from './decide.ts';
import { evolvePlans, initialPlans, type Plans, type PlansEvent } from './plans.ts';

export const plansDecider: Decider<PlansCommand, PlansEvent, Plans> = {
  decide: decidePlans,
  evolve: evolvePlans,
  initialState: initialPlans,
};
export * from './plans.ts';
export * from './decide.ts';
