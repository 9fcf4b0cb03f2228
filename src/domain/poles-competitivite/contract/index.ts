import type { Decider } from '../../kernel/decider.ts';
import { decidePerformanceContract, type PerformanceContractCommand } from './decide.ts';
import {
  evolvePerformanceContract,
  initialPerformanceContract,
  type PerformanceContract,
  type PerformanceContractEvent,
} from './contract.ts';

export const performanceContractDecider: Decider<
  PerformanceContractCommand,
  PerformanceContractEvent,
  PerformanceContract
> = {
  decide: decidePerformanceContract,
  evolve: evolvePerformanceContract,
  initialState: initialPerformanceContract,
};
export * from './contract.ts';
export * from './decide.ts';
