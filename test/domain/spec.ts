import type { Test } from 'tap';
import type { Decider } from '../../src/application/commandHandler.ts';
import { DomainError, type DomainErrorCode, type DomainEvent } from '../../src/domain/kernel/shared.ts';

type Assert = Pick<Test, 'same' | 'equal' | 'fail'>;

/**
 * Given/when/then for a pure decider: `spec(decider)(t).given(events).when(command).then(events)`
 * or `.then('CONFLICT')` for a refusal (the DomainError's code), optionally with a message pattern.
 */
export function specFor<C, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return (t: Assert) => ({
    given: (events: E[]) => ({
      when: (command: C) => ({
        then(expected: E[] | DomainErrorCode, message?: RegExp): void {
          const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
          let result: E[];
          try {
            result = decider.decide(command, state);
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
            if (typeof expected !== 'string') {
              t.fail(`expected events, got ${err.code}: ${err.message}`);
              return;
            }
            t.equal(err.code, expected, err.message);
            if (message && !message.test(err.message)) t.fail(`"${err.message}" does not match ${String(message)}`);
            return;
          }
          if (typeof expected === 'string') {
            t.fail(`expected ${expected}, got events ${JSON.stringify(result)}`);
            return;
          }
          t.same(result, expected);
        },
      }),
    }),
  });
}
