import type { Kysely } from 'kysely';
import { handleCommand, loadAggregate, type Dependencies } from '../application/commandHandler.ts';
import type { Database } from '../db/database.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import { DomainError, validationError } from '../domain/kernel/shared.ts';
import { territoryDecider } from '../domain/territoires-industrie/territory/index.ts';
import type { TerritoryEvent } from '../domain/territoires-industrie/territory/territory.ts';
import type { Actor } from '../eventstore/types.ts';
import { territoryStreamFor } from '../application/territories.ts';
import { builtInProgramme } from '../domain/programmes/index.ts';
import { mapLimit } from './concurrency.ts';
import { planTerritory, type Change, type TerritoryPlan } from './plan.ts';
import type { ImportedTerritory, Programme } from './territories.ts';

/**
 * Compares the imported territories with the store and records the differences through the
 * territory command handler. Two phases: every territory is read and every command decided first
 * (nothing written); only when no decision refuses (or skipInvalid) are the commands run, each
 * pinned to the revision that was planned on (a concurrent change surfaces as a refusal).
 */
export interface ImportOptions {
  programme: Programme;
  effectiveOn: string;
  today: string;
  actor: Actor;
  source: string;
  dryRun: boolean;
  skipInvalid: boolean;
  concurrency?: number;
}

export interface ImportReport {
  territoriesInFile: number;
  changes: Change[];
  unchanged: number;
  /** Decisions the domain refused, per territory (nothing recorded for it). */
  refused: { territoryId: string; message: string }[];
  notes: string[];
  /** Territories of the programme in the store (read model) that the file does not list. */
  notInFile: string[];
  eventsRecorded: number;
  recorded: boolean;
}

export async function importTerritories(
  deps: Dependencies & { db?: Kysely<Database>; runner?: Pick<ProjectionRunner, 'ensureCaughtUp'> },
  territories: ImportedTerritory[],
  opts: ImportOptions,
): Promise<ImportReport> {
  const concurrency = opts.concurrency ?? 16;
  const report: ImportReport = {
    territoriesInFile: territories.length,
    changes: [],
    unchanged: 0,
    refused: [],
    notes: [],
    notInFile: [],
    eventsRecorded: 0,
    recorded: false,
  };
  if (opts.effectiveOn < opts.programme.notBefore) {
    throw validationError(
      `--effective-on ${opts.effectiveOn} is before ${opts.programme.id} began (${opts.programme.notBefore})`,
      { field: 'effectiveOn' },
    );
  }
  const facts = builtInProgramme(opts.programme.id);
  const metadata = {
    actor: opts.actor,
    today: opts.today,
    ...(facts ? { programme: { id: facts.programmeId, launchedOn: facts.launchedOn, endsOn: facts.endsOn } } : {}),
  };

  // 1. plan: read, fold, decide (pure), no write
  const planned = await mapLimit(territories, concurrency, async (t) => {
    const stream = await territoryStreamFor(deps, opts.programme.id, t.id);
    const { state, revision } = await loadAggregate<TerritoryEvent, ReturnType<typeof territoryDecider.initialState>>(
      deps,
      stream,
      territoryDecider,
    );
    const plan = planTerritory(state, t, {
      programme: opts.programme.id,
      effectiveOn: opts.effectiveOn,
      source: opts.source,
      metadata,
    });
    let s = state;
    try {
      for (const c of plan.commands) {
        const events = territoryDecider.decide(c, s);
        s = events.reduce((acc, e) => territoryDecider.evolve(acc, e), s);
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return { plan, stream, revision, refused: err.message };
    }
    return { plan, stream, revision, refused: undefined as string | undefined };
  });

  const runnable: { plan: TerritoryPlan; stream: string; revision: bigint }[] = [];
  for (const p of planned) {
    report.notes.push(...p.plan.notes);
    if (p.refused) report.refused.push({ territoryId: p.plan.territoryId, message: p.refused });
    else if (p.plan.commands.length === 0) report.unchanged++;
    else {
      report.changes.push(...p.plan.changes);
      runnable.push(p);
    }
  }

  if (deps.db) {
    // the read model must hold every territory recorded so far (no server may be running to
    // project them): brought up to the head of the log first
    if (deps.runner && !(await deps.runner.ensureCaughtUp()))
      report.notes.push('the projections have not caught up with the log: "not in the file" may miss some');
    const listed = new Set(territories.map((t) => t.id));
    const rows = await deps.db
      .selectFrom('read.territories')
      .select('territory_id')
      .where('programme', '=', opts.programme.id)
      .where('valid_to', 'is', null)
      .where('status', '=', 'labelled')
      .execute();
    report.notInFile = rows
      .map((r) => r.territory_id)
      .filter((id) => !listed.has(id))
      .sort();
  }

  if (opts.dryRun || (report.refused.length > 0 && !opts.skipInvalid)) return report;

  // 2. record, each territory pinned to the revision it was planned on
  const correlationId = `import:${opts.source}:${opts.today}`;
  await mapLimit(runnable, concurrency, async ({ plan, stream, revision }) => {
    let expected = revision;
    try {
      for (const command of plan.commands) {
        const r = await handleCommand(deps, stream, territoryDecider, command, {
          actor: opts.actor,
          correlationId,
          expectedRevision: expected,
        });
        report.eventsRecorded += r.events.length;
        expected = r.nextRevision;
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      report.refused.push({ territoryId: plan.territoryId, message: err.message });
    }
  });
  report.recorded = true;
  return report;
}
