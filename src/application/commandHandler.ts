import { randomUUID } from 'node:crypto';
import { DomainError, type DomainEvent } from '../domain/kernel/shared.ts';
import type { EventRegistry } from '../domain/registry.ts';
import type { Decider } from '../domain/kernel/decider.ts';
import {
  WrongExpectedRevisionError,
  type Actor,
  type EventStore,
  type JsonObject,
  type NewEvent,
  type RecordedEvent,
} from '../eventstore/types.ts';

/**
 * The one command handler: read the stream, fold `evolve`, `decide`, append with the expected
 * revision. A lost race is re-decided on fresh state (bounded) unless the caller pinned a revision
 * (If-Match), in which case it is a 412.
 */
export type { Decider } from '../domain/kernel/decider.ts';

export interface CommandContext {
  actor: Actor;
  correlationId?: string | undefined;
  causationId?: string | undefined;
  commandId?: string | undefined;
  idempotencyKey?: string | undefined;
  /** When the key was claimed: events carrying it recorded since are this command's (default: the last 24 h). */
  idempotencySince?: Date | undefined;
  requestId?: string | undefined;
  /** From If-Match: the revision the caller saw; -1n for "the stream must not exist". */
  expectedRevision?: bigint | undefined;
  /** Re-decide after a concurrency conflict at most this many times (0: never). */
  retries?: number;
  /** Event ids; random UUIDs unless given (tests, deterministic seeds). */
  newEventId?: () => string;
}

export interface HandleResult<State> {
  state: State;
  events: DomainEvent[];
  /** The stream's revision after the command (-1n when the stream still does not exist). */
  nextRevision: bigint;
  /** Log position of the last event written, or undefined when nothing had to be written. */
  position: bigint | undefined;
}

export interface Dependencies {
  store: EventStore;
  registry: EventRegistry;
}

export class PreconditionFailedError extends DomainError {
  override readonly name = 'PreconditionFailedError';
  constructor(stream: string, expected: bigint, actual: bigint) {
    super('PRECONDITION_FAILED', `${stream} is at revision ${actual}, not ${expected} (If-Match)`, {
      currentRevision: Number(actual),
    });
  }
}

/** Reads a stream and folds it; returns the state and the revision. */
export async function loadAggregate<Event extends DomainEvent, State>(
  deps: Dependencies,
  stream: string,
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
  until?: (e: RecordedEvent, domain: DomainEvent) => boolean,
): Promise<{ state: State; revision: bigint; events: RecordedEvent[] }> {
  let state = decider.initialState();
  let revision = -1n;
  const events: RecordedEvent[] = [];
  for await (const recorded of deps.store.readStream(stream)) {
    const event = deps.registry.upcast(recorded.type, recorded.schemaVersion, recorded.data);
    if (until && !until(recorded, event)) {
      revision = recorded.revision;
      continue;
    }
    state = decider.evolve(state, event as Event);
    revision = recorded.revision;
    events.push(recorded);
  }
  return { state, revision, events };
}

export function toNewEvents(registry: EventRegistry, events: DomainEvent[], ctx: CommandContext): NewEvent[] {
  const commandId = ctx.commandId ?? randomUUID();
  const newId = ctx.newEventId ?? randomUUID;
  return events.map((e) => {
    const spec = registry.spec(e.type);
    const metadata: NewEvent['metadata'] = {
      actor: { sub: ctx.actor.sub, name: ctx.actor.name, roles: [...ctx.actor.roles] },
      occurredOn: spec.occurredOn(e.data),
      commandId,
      correlationId: ctx.correlationId ?? commandId,
    };
    if (ctx.causationId) metadata.causationId = ctx.causationId;
    if (ctx.idempotencyKey) metadata.idempotencyKey = ctx.idempotencyKey;
    if (ctx.requestId) metadata.requestId = ctx.requestId;
    return {
      id: newId(),
      type: e.type,
      schemaVersion: spec.version,
      data: JSON.parse(JSON.stringify(e.data)) as JsonObject,
      metadata,
    };
  });
}

/** How long an Idempotency-Key found on events still counts (the keys' TTL in the HTTP layer). */
export const KEY_MEMORY_MS = 24 * 3600 * 1000;
/** Clock skew allowed between the key's claim (database clock) and the events' recordedAt. */
const SKEW_MS = 60_000;

/** The events of one command: those carrying this principal's key, recorded since the key was claimed. */
export function recordedWithKey(events: RecordedEvent[], sub: string, key: string, claimed?: Date): RecordedEvent[] {
  const since = claimed ? claimed.getTime() - SKEW_MS : Date.now() - KEY_MEMORY_MS;
  const mine = events.filter(
    (e) =>
      e.metadata.idempotencyKey === key &&
      e.metadata.actor.sub === sub &&
      (e.metadata.recordedAt === undefined || Date.parse(e.metadata.recordedAt) >= since),
  );
  // one command's events share a commandId: keep the first command's
  const first = mine[0]?.metadata.commandId;
  return mine.filter((e) => e.metadata.commandId === first);
}

export async function handleCommand<Command, Event extends DomainEvent, State>(
  deps: Dependencies,
  stream: string,
  decider: Decider<Command, Event, State>,
  command: Command | ((state: State) => Command),
  ctx: CommandContext,
): Promise<HandleResult<State>> {
  const maxRetries = ctx.expectedRevision !== undefined ? 0 : (ctx.retries ?? 3);
  for (let attempt = 0; ; attempt++) {
    const { state, revision, events: recorded } = await loadAggregate(deps, stream, decider);
    // Already done: this principal's Idempotency-Key is on events of this stream (a retry whose
    // first run wrote them, then died or lost its answer). Answer what that run answered.
    const done = ctx.idempotencyKey
      ? recordedWithKey(recorded, ctx.actor.sub, ctx.idempotencyKey, ctx.idempotencySince)
      : [];
    if (done.length > 0) {
      const last = done[done.length - 1]!;
      return { state, events: [], nextRevision: last.revision, position: last.position };
    }
    if (ctx.expectedRevision !== undefined && ctx.expectedRevision !== revision) {
      throw new PreconditionFailedError(stream, ctx.expectedRevision, revision);
    }
    const cmd = typeof command === 'function' ? (command as (s: State) => Command)(state) : command;
    const events = decider.decide(cmd, state);
    if (events.length === 0) return { state, events, nextRevision: revision, position: undefined };
    const newState = events.reduce((s, e) => decider.evolve(s, e), state);
    try {
      const result = await deps.store.append(stream, toNewEvents(deps.registry, events, ctx), {
        expectedRevision: revision === -1n ? 'no_stream' : revision,
      });
      return { state: newState, events, nextRevision: result.nextRevision, position: result.position };
    } catch (err) {
      if (err instanceof WrongExpectedRevisionError) {
        if (ctx.expectedRevision !== undefined)
          throw new PreconditionFailedError(stream, ctx.expectedRevision, err.actual);
        if (attempt < maxRetries) continue;
      }
      throw err;
    }
  }
}
