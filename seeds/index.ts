import { handleCommand, loadAggregate, type Dependencies } from '../src/application/commandHandler.ts';
import { contractDecider, territoryFacts } from '../src/domain/territoires-industrie/contract/index.ts';
import { contractFacts, projectDecider } from '../src/domain/territoires-industrie/project/index.ts';
import { territoryDecider } from '../src/domain/territoires-industrie/territory/index.ts';
import { applicationStream, contractStream, projectStream, territoryStream } from '../src/eventstore/streams.ts';
import { mapLimit } from '../src/importer/concurrency.ts';
import { createHash } from 'node:crypto';
import type { System } from '../src/system.ts';
import { buildPlan, streamOf, type Step } from './history.ts';
import { buildPhase2Steps } from './phase2.ts';
import { builtInProgramme } from '../src/domain/programmes/index.ts';
import { applicationDecider, callOf, labellingOf } from '../src/domain/territoires-industrie/application/index.ts';
import { loadNfiDemo, nfiDemoSteps } from './nfi.ts';
import { loadPolesDemo, polesDemoLastCommands } from './poles.ts';

/**
 * Loads the demo history (seeds/history.ts) through the real command handlers, never by writing
 * events directly, with bounded concurrency (16 streams in flight). "today" is the real clock;
 * every business date is in the past.
 */
export interface SeedResult {
  commands: number;
  events: number;
  ms: number;
  /** Log position of the last event written: wait for the projections to reach it. */
  lastPosition: bigint | undefined;
  /** Commands found recorded already (a load cut short before, resumed), not run again. */
  skipped: number;
  /** The pôles de compétitivité's part (seeds/poles.ts), counted apart: a command may record two events there. */
  poles?: { commands: number; events: number; skipped: number };
}

/** The correlation id of every event the demo history writes. */
export const DEMO_CORRELATION_ID = 'seed:demo-history';

/**
 * The command id of the plan's step `index`, the same at every load (a UUID from its hash): a
 * load cut short (Ctrl-C during the first start) resumes by skipping the steps whose command id
 * its streams already hold.
 */
export function demoCommandId(index: number): string {
  const h = createHash('sha256').update(`ti-ledger demo history step ${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function run(
  deps: Dependencies,
  step: Step,
  today: string,
  commandId: string,
): Promise<{ events: number; position: bigint | undefined }> {
  const ctx = { actor: step.actor, correlationId: DEMO_CORRELATION_ID, commandId, retries: 5 };
  const facts = 'programme' in step && step.programme ? builtInProgramme(step.programme) : undefined;
  const metadata = {
    actor: step.actor,
    today,
    ...(facts ? { programme: { id: facts.programmeId, launchedOn: facts.launchedOn, endsOn: facts.endsOn } } : {}),
  };
  const territoryState = async (id: string) => (await loadAggregate(deps, territoryStream(id), territoryDecider)).state;
  let r: { events: unknown[]; position: bigint | undefined };
  switch (step.kind) {
    case 'label':
      r = await handleCommand(
        deps,
        streamOf(step),
        territoryDecider,
        {
          type: 'LabelTerritory',
          data: {
            territoryId: step.territoryId,
            programme: step.programme ?? 'territoires-industrie-2018',
            name: step.name,
            regionCode: step.regionCode,
            epcis: step.epcis,
            labelledOn: step.date,
            ...(step.splitFrom ? { splitFrom: step.splitFrom } : {}),
            ...(step.succeeds ? { succeeds: step.succeeds } : {}),
            ...(step.synthetic ? { synthetic: true } : {}),
          },
          metadata,
        },
        ctx,
      );
      break;
    case 'coLeads':
      r = await handleCommand(
        deps,
        streamOf(step),
        territoryDecider,
        {
          type: 'AppointCoLeads',
          data: {
            territoryId: step.territoryId,
            industrial: {
              name: `Dirigeante industrielle ${step.territoryId} (synthétique)`,
              role: 'Industrie synthétique SA',
              synthetic: true,
            },
            elected: { name: `Élu local ${step.territoryId} (synthétique)`, role: "Président d'EPCI", synthetic: true },
            appointedOn: step.date,
          },
          metadata,
        },
        ctx,
      );
      break;
    case 'apply': {
      r = await handleCommand(
        deps,
        streamOf(step),
        applicationDecider,
        {
          type: 'SubmitApplication',
          data: {
            applicationId: step.territoryId,
            programme: step.programme,
            name: step.name,
            regionCode: step.regionCode,
            epcis: step.epcis,
            submittedOn: step.date,
            ...(step.succeeds ? { succeeds: step.succeeds } : {}),
            synthetic: true,
            call: callOf(step.programme) ?? null,
          },
          metadata,
        },
        ctx,
      );
      break;
    }
    case 'select':
    case 'decline': {
      const call = callOf(step.programme)!;
      r = await handleCommand(
        deps,
        streamOf(step),
        applicationDecider,
        step.kind === 'select'
          ? {
              type: 'SelectApplication',
              data: { applicationId: step.territoryId, selectedOn: step.date, call },
              metadata,
            }
          : {
              type: 'DeclineApplication',
              data: {
                applicationId: step.territoryId,
                decidedOn: step.date,
                reason: 'Candidature non retenue par le comité (synthétique)',
                call,
              },
              metadata,
            },
        ctx,
      );
      break;
    }
    case 'labelFromApplication': {
      const application = (
        await loadAggregate(deps, applicationStream(step.territoryId, step.programme), applicationDecider)
      ).state;
      r = await handleCommand(
        deps,
        streamOf(step),
        territoryDecider,
        labellingOf(application, step.territoryId, step.date, metadata),
        ctx,
      );
      break;
    }
    case 'projectLead':
      r = await handleCommand(
        deps,
        streamOf(step),
        territoryDecider,
        {
          type: 'AppointProjectLead',
          data: {
            territoryId: step.territoryId,
            lead: {
              name: `Chef·fe de projet ${step.territoryId} (synthétique)`,
              role: 'Chef de projet Territoires d’industrie',
              synthetic: true,
            },
            appointedOn: step.date,
            cofinancing: [
              { funder: 'ANCT (synthétique)', kind: 'state', amountEur: 40_000 },
              {
                funder: `Intercommunalité porteuse ${step.territoryId} (synthétique)`,
                kind: 'epci',
                amountEur: 40_000,
              },
            ],
          },
          metadata,
        },
        ctx,
      );
      break;
    case 'split':
      r = await handleCommand(
        deps,
        streamOf(step),
        territoryDecider,
        {
          type: 'SplitTerritory',
          data: {
            territoryId: step.territoryId,
            into: step.into,
            splitOn: step.date,
            reason: 'Périmètre revu par le comité de pilotage régional',
          },
          metadata,
        },
        ctx,
      );
      break;
    case 'rename':
      r = await handleCommand(
        deps,
        streamOf(step),
        territoryDecider,
        {
          type: 'RenameTerritory',
          data: { territoryId: step.territoryId, name: step.name, renamedOn: step.date },
          metadata,
        },
        ctx,
      );
      break;
    case 'perimeter':
      r = await handleCommand(
        deps,
        streamOf(step),
        territoryDecider,
        {
          type: 'ChangeTerritoryPerimeter',
          data: {
            territoryId: step.territoryId,
            added: step.added,
            removed: step.removed,
            decidedOn: step.date,
            reason: step.reason,
          },
          metadata,
        },
        ctx,
      );
      break;
    case 'draft': {
      const territory = territoryFacts(await territoryState(step.territoryId));
      r = await handleCommand(
        deps,
        contractStream(step.contractId),
        contractDecider,
        {
          type: 'DraftContract',
          data: {
            contractId: step.contractId,
            territoryId: step.territoryId,
            title: step.title,
            kind: step.contractKind,
            draftedOn: step.date,
            territory,
          },
          metadata,
        },
        ctx,
      );
      break;
    }
    case 'commit':
      r = await handleCommand(
        deps,
        contractStream(step.contractId),
        contractDecider,
        {
          type: 'MakeCommitment',
          data: {
            contractId: step.contractId,
            commitmentId: step.commitmentId,
            madeOn: step.date,
            partyKind: step.partyKind,
            partyName: step.partyName,
            partySiren: step.partySiren,
            axis: step.axis,
            description: step.description,
            amountEur: step.amountEur,
            dueOn: step.dueOn,
          },
          metadata,
        },
        ctx,
      );
      break;
    case 'submit':
      r = await handleCommand(
        deps,
        contractStream(step.contractId),
        contractDecider,
        {
          type: 'SubmitContract',
          data: { contractId: step.contractId, submittedOn: step.date },
          metadata,
        },
        ctx,
      );
      break;
    case 'requestChanges':
      r = await handleCommand(
        deps,
        contractStream(step.contractId),
        contractDecider,
        {
          type: 'RequestContractChanges',
          data: {
            contractId: step.contractId,
            decidedOn: step.date,
            regionCode: step.regionCode,
            validatorRegions: [step.regionCode],
            reason: step.reason,
          },
          metadata,
        },
        ctx,
      );
      break;
    case 'validate':
      r = await handleCommand(
        deps,
        contractStream(step.contractId),
        contractDecider,
        {
          type: 'ValidateContract',
          data: {
            contractId: step.contractId,
            decidedOn: step.date,
            regionCode: step.regionCode,
            validatorRegions: [step.regionCode],
          },
          metadata,
        },
        ctx,
      );
      break;
    case 'sign':
      r = await handleCommand(
        deps,
        contractStream(step.contractId),
        contractDecider,
        {
          type: 'SignContract',
          data: { contractId: step.contractId, signedOn: step.date, signatories: step.signatories },
          metadata,
        },
        ctx,
      );
      break;
    case 'register': {
      const territory = territoryFacts(await territoryState(step.territoryId));
      const contract = step.contractId
        ? contractFacts((await loadAggregate(deps, contractStream(step.contractId), contractDecider)).state)
        : null;
      r = await handleCommand(
        deps,
        projectStream(step.projectId),
        projectDecider,
        {
          type: 'RegisterProject',
          data: {
            projectId: step.projectId,
            territoryId: step.territoryId,
            contractId: step.contractId,
            title: step.title,
            axis: step.axis,
            budgetEur: step.budgetEur,
            registeredOn: step.date,
            territory,
            contract,
          },
          metadata,
        },
        ctx,
      );
      break;
    }
    case 'fund':
      r = await handleCommand(
        deps,
        projectStream(step.projectId),
        projectDecider,
        {
          type: 'GrantProjectFunding',
          data: {
            projectId: step.projectId,
            fundingId: step.fundingId,
            source: step.source,
            amountEur: step.amountEur,
            grantedOn: step.date,
          },
          metadata,
        },
        ctx,
      );
      break;
    case 'start':
      r = await handleCommand(
        deps,
        projectStream(step.projectId),
        projectDecider,
        {
          type: 'StartProject',
          data: { projectId: step.projectId, startedOn: step.date },
          metadata,
        },
        ctx,
      );
      break;
    case 'abandon':
      r = await handleCommand(
        deps,
        projectStream(step.projectId),
        projectDecider,
        {
          type: 'AbandonProject',
          data: { projectId: step.projectId, abandonedOn: step.date, reason: step.reason },
          metadata,
        },
        ctx,
      );
      break;
  }
  return { events: r.events.length, position: r.position };
}

/** The plan's steps, each with its command id. */
/** Every step of the demo history: phase 1's plan (seeds/history.ts), then phase 2's (seeds/phase2.ts). */
export const demoPlanSteps = (): Step[] => {
  const phase1 = buildPlan().steps;
  return [...phase1, ...buildPhase2Steps(phase1)];
};

const demoSteps = () => {
  // phase 2 after phase 1: the indexes (command ids) of phase 1's steps stay what they were
  return demoPlanSteps().map((step, i) => ({ step, commandId: demoCommandId(i) }));
};

/** The command ids a stream holds (from its events' metadata). */
async function recordedCommands(deps: Dependencies, stream: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const e of deps.store.readStream(stream)) {
    const id = (e.metadata as { commandId?: unknown }).commandId;
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

// Phases, so that every cross-stream fact a decision reads is already recorded: applications,
// territories
// (labels, co-leads, perimeters), then contracts (read their territory), then projects (read
// their territory and contract), then the split (its territory took projects until that day).
// Phase 2's applications come first (a territory is labelled from its selected application).
const phaseOf = (s: Step) =>
  s.kind === 'split'
    ? 3
    : streamOf(s).startsWith('application-')
      ? -1
      : streamOf(s).startsWith('territory-')
        ? 0
        : streamOf(s).startsWith('contract-')
          ? 1
          : 2;

export async function loadDemoHistory(
  deps: Dependencies,
  opts: { today: string; concurrency?: number; until?: string; resume?: boolean } = {
    today: new Date().toISOString().slice(0, 10),
  },
): Promise<SeedResult> {
  const started = Date.now();
  const steps = demoSteps().filter((x) => !opts.until || x.step.date <= opts.until);
  // Within a phase every stream runs its steps in business-date order, streams in parallel.
  let events = 0;
  let skipped = 0;
  let lastPosition: bigint | undefined;
  for (const phase of [-1, 0, 1, 2, 3]) {
    const byStream = new Map<string, typeof steps>();
    for (const x of steps) {
      if (phaseOf(x.step) !== phase) continue;
      const stream = streamOf(x.step);
      byStream.set(stream, [...(byStream.get(stream) ?? []), x]);
    }
    await mapLimit([...byStream.entries()], opts.concurrency ?? 16, async ([stream, list]) => {
      // resuming: what this stream holds already stays as it is (a stream's steps run in order,
      // so that is a prefix of its list)
      const done = opts.resume ? await recordedCommands(deps, stream) : new Set<string>();
      for (const { step, commandId } of list) {
        if (done.has(commandId)) {
          skipped++;
          continue;
        }
        try {
          const r = await run(deps, step, opts.today, commandId);
          events += r.events;
          if (r.position !== undefined && (lastPosition === undefined || r.position > lastPosition))
            lastPosition = r.position;
        } catch (err) {
          throw new Error(
            `demo history: ${step.kind} on ${streamOf(step)} dated ${step.date} failed: ${(err as Error).message}`,
            { cause: err },
          );
        }
      }
    });
  }
  // La Nouvelle France industrielle (seeds/nfi.ts): its own streams, after the others
  const nfi = await loadNfiDemo(deps, {
    today: opts.today,
    until: opts.until,
    concurrency: opts.concurrency ?? 16,
    correlationId: DEMO_CORRELATION_ID,
    ...(opts.resume ? { done: (stream: string) => recordedCommands(deps, stream) } : {}),
  });
  if (nfi.lastPosition !== undefined && (lastPosition === undefined || nfi.lastPosition > lastPosition))
    lastPosition = nfi.lastPosition;
  // the pôles de compétitivité (seeds/poles.ts): their own streams, after every other programme
  const poles = await loadPolesDemo(deps, { today: opts.today, until: opts.until, resume: opts.resume });
  if (poles.lastPosition !== undefined && (lastPosition === undefined || poles.lastPosition > lastPosition))
    lastPosition = poles.lastPosition;
  return {
    commands: steps.length - skipped + nfi.commands,
    events: events + nfi.events,
    ms: Date.now() - started,
    lastPosition,
    skipped: skipped + nfi.skipped,
    poles: { commands: poles.commands, events: poles.events, skipped: poles.skipped },
  };
}

/**
 * Whether the demo history is partly loaded: the log starts with a demo event, and the steps of
 * the last phase (which runs once every other step is recorded) are not all recorded.
 */
async function demoCutShort(deps: Dependencies): Promise<boolean> {
  let first: { metadata: unknown } | undefined;
  for await (const e of deps.store.readAll({ batchSize: 1 })) {
    first = e;
    break;
  }
  if ((first?.metadata as { correlationId?: unknown } | undefined)?.correlationId !== DEMO_CORRELATION_ID) return false;
  const plan = demoSteps();
  const lastPhase = Math.max(...plan.map((x) => phaseOf(x.step)));
  for (const { step, commandId } of plan.filter((x) => phaseOf(x.step) === lastPhase))
    if (!(await recordedCommands(deps, streamOf(step))).has(commandId)) return true;
  // the NFI's streams load last: each one's last step
  const lastOf = new Map<string, string>();
  for (const { step, commandId } of nfiDemoSteps()) lastOf.set(step.stream, commandId);
  for (const [stream, commandId] of lastOf) if (!(await recordedCommands(deps, stream)).has(commandId)) return true;
  // then the pôles' streams: each one's last step
  for (const [stream, commandId] of polesDemoLastCommands())
    if (!(await recordedCommands(deps, stream)).has(commandId)) return true;
  return false;
}

/**
 * Loads the demo history when the store is empty (SEED=demo), or finishes it when an earlier
 * load was cut short (the process stopped during the first start): the steps recorded already
 * are skipped, the others run as they would have.
 */
export async function seedIfEmpty(
  system: System,
  log: { info(o: object | string, msg?: string): void },
): Promise<SeedResult | undefined> {
  const today = system.clock().toISOString().slice(0, 10);
  const head = await system.store.headCheckpoint();
  if (head === undefined) {
    log.info('store is empty: loading the demo history of every programme (SEED=demo)');
    const r = await loadDemoHistory(system, { today });
    log.info(
      { commands: r.commands + (r.poles?.commands ?? 0), events: r.events + (r.poles?.events ?? 0), ms: r.ms },
      'demo history loaded',
    );
    return r;
  }
  if (!(await demoCutShort(system))) return undefined;
  log.info('the demo history was cut short by a stop: finishing it (SEED=demo)');
  const r = await loadDemoHistory(system, { today, resume: true });
  log.info({ commands: r.commands, skipped: r.skipped, events: r.events, ms: r.ms }, 'demo history finished');
  return r;
}
