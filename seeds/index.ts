import { handleCommand, loadAggregate, type Dependencies } from '../src/application/commandHandler.ts';
import { contractDecider, territoryFacts } from '../src/domain/contract/index.ts';
import { contractFacts, projectDecider } from '../src/domain/project/index.ts';
import { territoryDecider } from '../src/domain/territory/index.ts';
import { contractStream, projectStream, territoryStream } from '../src/eventstore/streams.ts';
import { mapLimit } from '../src/importer/concurrency.ts';
import type { System } from '../src/system.ts';
import { buildPlan, streamOf, type Step } from './history.ts';

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
}

async function run(
  deps: Dependencies,
  step: Step,
  today: string,
): Promise<{ events: number; position: bigint | undefined }> {
  const ctx = { actor: step.actor, correlationId: 'seed:demo-history', retries: 5 };
  const metadata = { actor: step.actor, today };
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
            programme: 'territoires-industrie-2018',
            name: step.name,
            regionCode: step.regionCode,
            epcis: step.epcis,
            labelledOn: step.date,
            ...(step.splitFrom ? { splitFrom: step.splitFrom } : {}),
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

export async function loadDemoHistory(
  deps: Dependencies,
  opts: { today: string; concurrency?: number; until?: string } = { today: new Date().toISOString().slice(0, 10) },
): Promise<SeedResult> {
  const started = Date.now();
  const plan = buildPlan();
  const steps = opts.until ? plan.steps.filter((s) => s.date <= opts.until!) : plan.steps;
  // Phases, so that every cross-stream fact a decision reads is already recorded: territories
  // (labels, co-leads, perimeters), then contracts (read their territory), then projects (read
  // their territory and contract), then the split (its territory took projects until that day).
  // Within a phase every stream runs its steps in business-date order, streams in parallel.
  const phaseOf = (s: Step) =>
    s.kind === 'split' ? 3 : streamOf(s).startsWith('territory-') ? 0 : streamOf(s).startsWith('contract-') ? 1 : 2;
  let events = 0;
  let lastPosition: bigint | undefined;
  for (const phase of [0, 1, 2, 3]) {
    const byStream = new Map<string, Step[]>();
    for (const s of steps) {
      if (phaseOf(s) !== phase) continue;
      const stream = streamOf(s);
      byStream.set(stream, [...(byStream.get(stream) ?? []), s]);
    }
    await mapLimit([...byStream.values()], opts.concurrency ?? 16, async (list) => {
      for (const step of list) {
        try {
          const r = await run(deps, step, opts.today);
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
  return { commands: steps.length, events, ms: Date.now() - started, lastPosition };
}

/** Loads the demo history when the store is empty (SEED=demo). */
export async function seedIfEmpty(
  system: System,
  log: { info(o: object | string, msg?: string): void },
): Promise<SeedResult | undefined> {
  const head = await system.store.headCheckpoint();
  if (head !== undefined) return undefined;
  log.info('store is empty: loading the demo history 2018-2020 (SEED=demo)');
  const r = await loadDemoHistory(system, { today: system.clock().toISOString().slice(0, 10) });
  log.info({ commands: r.commands, events: r.events, ms: r.ms }, 'demo history loaded');
  return r;
}
