import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { contentDigest, eventHash } from '../src/eventstore/hash.ts';
import type { JsonObject } from '../src/eventstore/types.ts';

/**
 * A realistic synthetic history of the programme (territories, contracts with commitments and
 * regional decisions, projects with fundings), deterministic for a seed, and a fast writer that
 * puts it straight into es.events (multi-row inserts, hash chain computed) for benchmarks and
 * tests. Events follow the registry's schemas, so projections read them as they would real ones.
 */
export interface GenEvent {
  stream: string;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  occurredOn: string;
}

const REGIONS = ['11', '24', '27', '28', '32', '44', '52', '53', '75', '76', '84', '93'];
const AXES = ['attractiveness', 'skills', 'innovation', 'simplification'] as const;
const SOURCES = ['banque-des-territoires', 'bpifrance', 'business-france', 'pic', 'pia', 'france-relance', 'region'];
const PARTIES = ['industrial', 'epci', 'region', 'state', 'operator'] as const;

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const LAUNCH = Date.UTC(2018, 10, 22);
const dateOf = (d: number) => new Date(LAUNCH + d * DAY).toISOString().slice(0, 10);
const siren = (n: number) => String(200000000 + n).padStart(9, '0');

/** Generates about `target` events (a little more: lifecycles are not cut). */
export function* generate(target: number, seed = 42, prefix = ''): Generator<GenEvent> {
  const r = rng(seed);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  // the programme counts about 150 territories per phase: a few hundred, whatever the volume
  const territories = Math.max(5, Math.min(400, Math.round(target / 500)));
  let n = 0;
  const terr: { id: string; region: string; labelled: number }[] = [];
  for (let i = 0; i < territories; i++) {
    const id = `${prefix}T${String(i + 1).padStart(4, '0')}`;
    const region = REGIONS[i % REGIONS.length]!;
    const labelled = i < territories * 0.8 ? 0 : int(1, 1500);
    terr.push({ id, region, labelled });
    const epcis = Array.from({ length: int(2, 6) }, (_, k) => ({
      siren: siren(i * 10 + k),
      name: `CC ${id}-${k}`,
      nature: pick(['CC', 'CA', 'CU']),
    }));
    yield {
      stream: `territory-${id}`,
      type: 'TerritoryLabelled',
      schemaVersion: 1,
      data: {
        territoryId: id,
        programme: 'territoires-industrie-2018',
        name: `Territoire ${id}`,
        regionCode: region,
        epcis,
        labelledOn: dateOf(labelled),
      },
      occurredOn: dateOf(labelled),
    };
    n++;
    const coLeadsOn = dateOf(labelled + int(10, 120));
    yield {
      stream: `territory-${id}`,
      type: 'TerritoryCoLeadsAppointed',
      schemaVersion: 1,
      data: {
        territoryId: id,
        industrial: { name: `Industriel ${id}` },
        elected: { name: `Élu ${id}` },
        appointedOn: coLeadsOn,
      },
      occurredOn: coLeadsOn,
    };
    n++;
    if (r() < 0.2) {
      const on = dateOf(labelled + int(121, 400));
      yield {
        stream: `territory-${id}`,
        type: 'TerritoryPerimeterChanged',
        schemaVersion: 1,
        data: {
          territoryId: id,
          added: [{ siren: siren(i * 10 + 9), name: `CA ${id}-9`, nature: 'CA' }],
          removed: [epcis[0]!.siren],
          decidedOn: on,
          reason: 'comité régional',
        },
        occurredOn: on,
      };
      n++;
    }
  }
  let contracts = 0;
  let projects = 0;
  while (n < target) {
    const t = terr[int(0, terr.length - 1)]!;
    if (r() < 0.3) {
      const id = `${prefix}C${++contracts}`;
      const s = `contract-${id}`;
      const base = { contractId: id, territoryId: t.id };
      let d = t.labelled + int(30, 400);
      const ev = (type: string, data: JsonObject, schemaVersion = 1): GenEvent => {
        n++;
        return { stream: s, type, schemaVersion, data: { ...base, ...data }, occurredOn: dateOf(d) };
      };
      yield ev('ContractDrafted', {
        regionCode: t.region,
        kind: r() < 0.3 ? 'protocol' : 'contract',
        title: `Contrat ${id}`,
        draftedOn: dateOf(d),
      });
      const cms = int(4, 10);
      let total = 0;
      const amounts: number[] = [];
      for (let k = 0; k < cms; k++) {
        d += int(0, 10);
        const amount = int(1, 5000) * 100_00;
        amounts.push(amount);
        total += amount;
        yield ev(
          'CommitmentMade',
          {
            commitmentId: `${id}-m${k}`,
            partyKind: k < 4 ? PARTIES[k]! : pick(PARTIES),
            partyName: `Partie ${k}`,
            partySiren: null,
            axis: pick(AXES),
            description: 'engagement réciproque',
            amountCents: amount,
            dueOn: dateOf(d + 365),
            madeOn: dateOf(d),
          },
          2,
        );
      }
      if (r() < 0.3) {
        d += int(0, 10);
        const k = int(0, cms - 1);
        const amount = int(1, 5000) * 100_00;
        total += amount - amounts[k]!;
        yield ev('CommitmentAmended', {
          commitmentId: `${id}-m${k}`,
          partyKind: k < 4 ? PARTIES[k]! : 'operator',
          partyName: `Partie ${k}`,
          partySiren: null,
          axis: 'innovation',
          description: 'engagement amendé',
          amountCents: amount,
          dueOn: dateOf(d + 365),
          amendedOn: dateOf(d),
          reason: null,
        });
      }
      if (r() < 0.85) {
        d += int(5, 60);
        yield ev('ContractSubmittedForValidation', {
          submission: 1,
          submittedOn: dateOf(d),
          commitmentCount: cms,
          totalCents: total,
        });
        d += int(5, 90);
        const x = r();
        if (x < 0.7) {
          yield ev('ContractValidatedByRegion', {
            regionCode: t.region,
            submission: 1,
            decidedOn: dateOf(d),
            comment: null,
          });
          if (r() < 0.8) {
            d += int(1, 60);
            yield ev('ContractSigned', {
              submission: 1,
              signedOn: dateOf(d),
              signatories: [{ name: 'Préfet de région' }, { name: 'Président du conseil régional' }],
            });
          }
        } else if (x < 0.9) {
          yield ev('ContractChangesRequestedByRegion', {
            regionCode: t.region,
            submission: 1,
            decidedOn: dateOf(d),
            reason: 'engagements à préciser',
          });
        } else {
          yield ev('ContractRejectedByRegion', {
            regionCode: t.region,
            submission: 1,
            decidedOn: dateOf(d),
            reason: 'hors périmètre',
          });
        }
      }
    } else {
      const id = `${prefix}P${++projects}`;
      const s = `project-${id}`;
      const base = { projectId: id, territoryId: t.id, contractId: null };
      let d = t.labelled + int(30, 1800);
      const ev = (type: string, data: JsonObject): GenEvent => {
        n++;
        return { stream: s, type, schemaVersion: 1, data: { ...base, ...data }, occurredOn: dateOf(d) };
      };
      yield ev('ProjectRegistered', {
        regionCode: t.region,
        title: `Fiche-action ${id}`,
        axis: pick(AXES),
        budgetCents: int(10, 10_000) * 1000_00,
        registeredOn: dateOf(d),
      });
      const f = int(0, 2);
      for (let k = 0; k < f; k++) {
        d += int(0, 90);
        yield ev('ProjectFundingGranted', {
          fundingId: `${id}-f${k}`,
          source: d > 700 && r() < 0.5 ? 'france-relance' : pick(SOURCES),
          amountCents: int(1, 2000) * 1000_00,
          grantedOn: dateOf(d),
        });
      }
      if (r() < 0.7) {
        d += int(10, 200);
        yield ev('ProjectStarted', { startedOn: dateOf(d) });
        const x = r();
        if (x < 0.5) {
          d += int(100, 700);
          yield ev('ProjectCompleted', { completedOn: dateOf(d) });
        } else if (x < 0.6) {
          d += int(10, 300);
          yield ev('ProjectAbandoned', { abandonedOn: dateOf(d), reason: 'porteur défaillant' });
        }
      }
    }
  }
}

const ACTOR = { sub: 'bench-loader', name: 'Bench loader', roles: ['programme_admin'] };

/**
 * Writes events straight into es.events (and es.streams), `chunk` rows per INSERT, with the
 * same hash chain and digests the store computes. Returns the number written.
 */
export async function insertEvents(
  pool: pg.Pool,
  events: Iterable<GenEvent>,
  opts: { chunk?: number; recordedAt?: string; onChunk?: (n: number) => void } = {},
): Promise<number> {
  const chunk = opts.chunk ?? 5000;
  const recordedAt = opts.recordedAt ?? new Date().toISOString();
  const heads = new Map<string, { revision: number; hash: string }>();
  let buf: unknown[][] = [];
  let total = 0;
  const flush = async () => {
    if (buf.length === 0) return;
    const cols = 11;
    const values = buf
      .map(
        (_, i) =>
          `(${Array.from({ length: cols }, (_, c) => `$${i * cols + c + 1}${c === 3 ? '::uuid' : c === 6 || c === 7 ? '::jsonb' : ''}`).join(',')})`,
      )
      .join(',');
    await pool.query(
      `insert into es.events (stream_name, revision, type, event_id, schema_version, content_digest, data, metadata,
         prev_hash, hash, recorded_at) values ${values}`,
      buf.flat(),
    );
    total += buf.length;
    opts.onChunk?.(total);
    buf = [];
  };
  for (const e of events) {
    const head = heads.get(e.stream) ?? { revision: -1, hash: '' };
    const metadata = { actor: ACTOR, occurredOn: e.occurredOn, correlationId: randomUUID(), recordedAt };
    const revision = head.revision + 1;
    const hash = eventHash({
      stream: e.stream,
      revision: BigInt(revision),
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: e.data,
      metadata,
      prevHash: head.hash,
    });
    const digest = contentDigest({ type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata });
    buf.push([
      e.stream,
      revision,
      e.type,
      randomUUID(),
      e.schemaVersion,
      digest,
      JSON.stringify(e.data),
      JSON.stringify(metadata),
      head.hash,
      hash,
      recordedAt,
    ]);
    heads.set(e.stream, { revision, hash });
    if (buf.length >= chunk) await flush();
  }
  await flush();
  // the stream heads, so appends through the store continue the chains
  const names = [...heads.keys()];
  for (let i = 0; i < names.length; i += 10_000) {
    const part = names.slice(i, i + 10_000);
    await pool.query(
      `insert into es.streams (stream_name, revision, last_hash)
       select * from unnest($1::text[], $2::bigint[], $3::text[])
       on conflict (stream_name) do update set revision = excluded.revision, last_hash = excluded.last_hash`,
      [part, part.map((s) => heads.get(s)!.revision), part.map((s) => heads.get(s)!.hash)],
    );
  }
  return total;
}

const NFI = 'nouvelle-france-industrielle-2013';
const NFI_REGIONS = [
  '11',
  '21',
  '22',
  '23',
  '24',
  '25',
  '26',
  '31',
  '41',
  '42',
  '43',
  '52',
  '53',
  '54',
  '72',
  '73',
  '74',
  '82',
  '83',
  '91',
  '93',
  '94',
];

/**
 * La Nouvelle France industrielle's history for the rebuild bench (`npm run bench:rebuild`): the
 * plan catalogue (34 plans, their heads and validations, the regrouping), the 22 Regions of 2013
 * each with 5 + 5 choices, leaders, a submitted and accepted roadmap, and `firms` Usine du futur
 * selections spread over them (the part that grows with the volume). Follows the registry's schemas.
 */
export function* generateNfi(firms: number, seed = 17): Generator<GenEvent> {
  const r = rng(seed);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const plansStream = `plans-${NFI}`;
  const plans = Array.from({ length: 34 }, (_, i) => (i === 5 ? 'usine-du-futur' : `plan-${i + 1}`));
  const ev = (stream: string, type: string, data: JsonObject, on: string): GenEvent => ({
    stream,
    type,
    schemaVersion: 1,
    data,
    occurredOn: on,
  });
  for (const p of plans)
    yield ev(plansStream, 'PlanLaunched', { planId: p, name: `Plan ${p}`, launchedOn: '2013-09-12' }, '2013-09-12');
  for (const p of plans)
    yield ev(
      plansStream,
      'PlanLeadAppointed',
      { planId: p, leads: [{ name: `Chef ${p}`, organisation: 'Entreprise' }], appointedOn: '2013-10-07' },
      '2013-10-07',
    );
  for (const p of plans)
    yield ev(plansStream, 'PlanRoadmapValidated', { planId: p, committeeOn: '2014-07-09' }, '2014-07-09');
  yield ev(
    plansStream,
    'PlansRegrouped',
    {
      regroupedOn: '2015-05-18',
      groupings: [
        { solutionId: 'industrie-du-futur', name: 'Industrie du futur', plans: ['usine-du-futur'] },
        { solutionId: 'solutions', name: 'Solutions', plans: plans.filter((p) => p !== 'usine-du-futur') },
      ],
      unsourcedPlacements: [],
    },
    '2015-05-18',
  );
  const choosable = plans.filter((p) => p !== 'usine-du-futur');
  for (const code of NFI_REGIONS) {
    const s = `priorities-${code}@${NFI}`;
    yield ev(
      s,
      'RegionMandated',
      { regionCode: code, mandatedOn: '2013-11-26', roadmapDueOn: '2014-03-31' },
      '2013-11-26',
    );
    const start = int(0, 20);
    for (let k = 0; k < 10; k++) {
      const planId = choosable[(start + k) % choosable.length]!;
      yield ev(
        s,
        'PlanChosen',
        { regionCode: code, planId, planName: `Plan ${planId}`, rank: k < 5 ? 1 : 2, chosenOn: '2014-01-10' },
        '2014-01-10',
      );
      yield ev(
        s,
        'RegionalPlanLeadAppointed',
        {
          regionCode: code,
          planId,
          person: `Dirigeant ${code}-${k}`,
          company: `PME ${code}-${k}`,
          siren: `97${code}${String(k).padStart(5, '0')}`,
          appointedOn: '2014-02-01',
        },
        '2014-02-01',
      );
    }
    yield ev(
      s,
      'RoadmapSubmitted',
      { regionCode: code, submittedOn: '2014-03-20', dueOn: '2014-03-31', late: false, choices: [] },
      '2014-03-20',
    );
    yield ev(s, 'RoadmapAccepted', { regionCode: code, acceptedOn: '2014-04-20' }, '2014-04-20');
  }
  for (let k = 0; k < firms; k++) {
    const code = NFI_REGIONS[k % NFI_REGIONS.length]!;
    const on = new Date(Date.UTC(2014, 0, 15) + int(0, 700) * DAY).toISOString().slice(0, 10);
    yield ev(
      `priorities-${code}@${NFI}`,
      'CompanySelectedForUsineDuFutur',
      {
        regionCode: code,
        siren: String(100000000 + k),
        name: `Firme ${k}`,
        size: k % 5 === 0 ? 'ETI' : 'SME',
        selectedOn: on,
      },
      on,
    );
  }
}
