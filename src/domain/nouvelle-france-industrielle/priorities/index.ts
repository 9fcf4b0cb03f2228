import type { Decider } from '../../kernel/decider.ts';
import { decidePriorities, type PrioritiesCommand } from './decide.ts';
import { evolvePriorities, initialPriorities, type Priorities, type PrioritiesEvent } from './priorities.ts';

export const prioritiesDecider: Decider<PrioritiesCommand, PrioritiesEvent, Priorities> = {
  decide: decidePriorities,
  evolve: evolvePriorities,
  initialState: initialPriorities,
};
export * from './priorities.ts';
export * from './decide.ts';
