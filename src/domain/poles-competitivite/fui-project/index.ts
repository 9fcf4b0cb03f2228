import type { Decider } from '../../kernel/decider.ts';
import { decideFuiProject, type FuiProjectCommand } from './decide.ts';
import { evolveFuiProject, initialFuiProject, type FuiProject, type FuiProjectEvent } from './project.ts';

export const fuiProjectDecider: Decider<FuiProjectCommand, FuiProjectEvent, FuiProject> = {
  decide: decideFuiProject,
  evolve: evolveFuiProject,
  initialState: initialFuiProject,
};
export * from './project.ts';
export * from './decide.ts';
