import type { Decider } from '../../kernel/decider.ts';
import { decidePole, type PoleCommand } from './decide.ts';
import { evolvePole, initialPole, type Pole, type PoleEvent } from './pole.ts';

export const poleDecider: Decider<PoleCommand, PoleEvent, Pole> = {
  decide: decidePole,
  evolve: evolvePole,
  initialState: initialPole,
};
export * from './pole.ts';
export * from './decide.ts';
