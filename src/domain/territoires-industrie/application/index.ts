import type { Decider } from '../../kernel/decider.ts';
import { decideApplication, type ApplicationCommand } from './decide.ts';
import { evolveApplication, initialApplication, type Application, type ApplicationEvent } from './application.ts';

export const applicationDecider: Decider<ApplicationCommand, ApplicationEvent, Application> = {
  decide: decideApplication,
  evolve: evolveApplication,
  initialState: initialApplication,
};
export * from './application.ts';
export * from './decide.ts';
export * from './call.ts';
