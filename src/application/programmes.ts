import { DomainError, validationError, type ProgrammeBounds } from '../domain/kernel/shared.ts';
import {
  BUILT_IN_PROGRAMMES,
  builtInProgramme,
  programmeDecider,
  type ProgrammeFacts,
} from '../domain/programmes/index.ts';
import { programmeStream } from '../eventstore/streams.ts';
import { WrongExpectedRevisionError, type Actor } from '../eventstore/types.ts';
import { handleCommand, loadAggregate, type Dependencies } from './commandHandler.ts';

/**
 * The programme catalogue as the shell uses it: a programme's facts as the log records them
 * (ProgrammeLaunched in `programme-<id>`), or, for a programme this release knows that the log
 * does not hold yet, the same built-in facts the server records at start (docs/adr/0007).
 */
export class ProgrammeCatalogue {
  /** Recorded programmes never change (no event after ProgrammeLaunched): cached once read. */
  private readonly recorded = new Map<string, ProgrammeFacts>();

  constructor(private readonly deps: Dependencies) {}

  /** The programme's facts, or undefined when neither the log nor this release knows it. */
  async find(id: string): Promise<(ProgrammeFacts & { recorded: boolean }) | undefined> {
    const cached = this.recorded.get(id);
    if (cached) return { ...cached, recorded: true };
    const { state } = await loadAggregate(this.deps, programmeStream(id), programmeDecider);
    if (state.status === 'Launched') {
      const { status: _s, ...facts } = state;
      this.recorded.set(id, facts);
      return { ...facts, recorded: true };
    }
    const built = builtInProgramme(id);
    return built ? { ...built, recorded: false } : undefined;
  }

  /** The bounds commands of this programme are checked against; a 400 naming `field` if unknown. */
  async bounds(id: string, field = 'programme'): Promise<ProgrammeBounds & { kind: ProgrammeFacts['kind'] }> {
    const p = await this.find(id);
    if (!p) throw unknownProgramme(id, field);
    return { id: p.programmeId, launchedOn: p.launchedOn, endsOn: p.endsOn, kind: p.kind };
  }
}

export function unknownProgramme(id: string, field = 'programme'): DomainError {
  return validationError(
    `${field}: unknown programme ${id} (known: ${BUILT_IN_PROGRAMMES.map((p) => p.programmeId).join(', ')})`,
    { field },
  );
}

/** The actor of the release's own bootstrap writes. */
export const CATALOGUE_ACTOR: Actor = { sub: 'system:programme-catalogue', name: 'ti-ledger release', roles: [] };

/**
 * Records every built-in programme the log does not hold yet (through the programme decider;
 * a programme already launched is left as recorded). Idempotent; returns the ids it recorded.
 */
export async function launchBuiltInProgrammes(deps: Dependencies, today: string): Promise<string[]> {
  const launched: string[] = [];
  for (const p of BUILT_IN_PROGRAMMES) {
    const stream = programmeStream(p.programmeId);
    const { state } = await loadAggregate(deps, stream, programmeDecider);
    if (state.status !== 'Unknown') continue;
    try {
      const r = await handleCommand(
        deps,
        stream,
        programmeDecider,
        { type: 'LaunchProgramme', data: p, metadata: { actor: CATALOGUE_ACTOR, today } },
        { actor: CATALOGUE_ACTOR, correlationId: 'release:programme-catalogue', retries: 0 },
      );
      if (r.events.length > 0) launched.push(p.programmeId);
    } catch (err) {
      // another instance recorded it first: the log holds it, which is what we want
      if (err instanceof DomainError && err.code === 'CONFLICT') continue;
      if (err instanceof WrongExpectedRevisionError) continue;
      throw err;
    }
  }
  return launched;
}
