import type { DomainEvent } from './shared.ts';

/**
 * A decider: the pure heart of an aggregate. `decide` turns a command and the current state into
 * the events to record (or throws a DomainError); `evolve` folds one recorded event into the
 * state; `initialState` is the state of a stream with no events. The application shell
 * (src/application/commandHandler.ts) reads, folds, decides and appends; the domain never does I/O.
 */
export interface Decider<Command, Event extends DomainEvent, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
