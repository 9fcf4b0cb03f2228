import type { Decider } from '../../kernel/decider.ts';
import { decideProject, type ProjectCommand } from './decide.ts';
import { evolveProject, initialProject, type Project, type ProjectEvent } from './project.ts';

export const projectDecider: Decider<ProjectCommand, ProjectEvent, Project> = {
  decide: decideProject,
  evolve: evolveProject,
  initialState: initialProject,
};
export * from './project.ts';
export * from './decide.ts';
