import type { Decider } from '../../kernel/decider.ts';
import { decideFuiCall, type FuiCallCommand } from './decide.ts';
import { evolveFuiCall, initialFuiCall, type FuiCall, type FuiCallEvent } from './call.ts';

export const fuiCallDecider: Decider<FuiCallCommand, FuiCallEvent, FuiCall> = {
  decide: decideFuiCall,
  evolve: evolveFuiCall,
  initialState: initialFuiCall,
};
export * from './call.ts';
export * from './decide.ts';
