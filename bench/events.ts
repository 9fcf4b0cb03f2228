import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { contentDigest, eventHash } from '../src/eventstore/hash.ts';
import type { JsonObject } from '../src/eventstore/types.ts';
import { currentRegionOf, regionsInForce } from '../src/domain/kernel/regions.ts';

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
/** The 22 metropolitan Regions of 2013 (INSEE's COG), each mandated by the NFI. */
const NFI_REGIONS = regionsInForce('2013-11-26')
  .filter((r) => r.kind === 'metropolitan')
  .map((r) => r.code);

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

const POLE_THEMES = [
  'aéronautique',
  'santé',
  'numérique',
  'chimie',
  'énergie',
  'matériaux',
  'agroalimentaire',
  'mobilité',
];
const addMonthsTo = (date: string, months: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};
const addDaysTo = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/**
 * The pôles de compétitivité's history for the rebuild bench (`BENCH_POLES_SHARE`), with the event
 * types, data and streams the pôles' deciders write (seeds/poles.ts plays the real sequence through
 * them): 71 pôles labelled in 2005 (6 mondiaux, 9 à vocation mondiale), two of them merged in 2006,
 * the 2008 and 2012 evaluations, phases 2–5 relabelled, six delabelled in 2010, three on probation
 * in 2023 (kept), a category change; 26 FUI calls (two a year 2006–2018) opened and published;
 * then, until about `target` events (lifecycles are not cut): performance contracts 2013–2018 and
 * 2019–2022 (commitments of the State, the pôle, a member and each Region concerned, two impact
 * objectives, submitted, one in ten refused by a Region and resubmitted, validated by the State and
 * each Region, co-validated, a mid-term review) while pôles have none for a period, and FUI projects
 * (the part that grows: submitted with a consortium, selected or rejected, co-funded by the
 * Regions, started, completed, their impact reported for phase 3 on).
 */
export function* generatePoles(target: number, seed = 18): Generator<GenEvent> {
  const r = rng(seed);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  let n = 0;
  const ev = (stream: string, type: string, data: JsonObject, on: string): GenEvent => {
    n++;
    return { stream, type, schemaVersion: 1, data, occurredOn: on };
  };
  interface P {
    id: string;
    main: string;
    others: string[];
    category: string;
    closedOn: string | null;
    periods: [string, string][];
  }
  const poles: P[] = [];
  const label = function* (i: number, on: string, phase: number, endsOn: string, mergedFrom: string[] = []) {
    const id = `pole-${String(i + 1).padStart(3, '0')}`;
    const main = NFI_REGIONS[i % NFI_REGIONS.length]!;
    const others = i % 4 === 0 ? [NFI_REGIONS[(i + 5) % NFI_REGIONS.length]!] : [];
    const category = i < 6 ? 'mondial' : i < 15 ? 'vocation_mondiale' : 'national';
    const p: P = { id, main, others, category, closedOn: null, periods: [[on, endsOn]] };
    poles.push(p);
    yield ev(
      `pole-${id}`,
      'PoleLabelled',
      {
        poleId: id,
        name: `Pôle synthétique ${i + 1}`,
        theme: POLE_THEMES[i % POLE_THEMES.length]!,
        mainRegion: main,
        otherRegions: others,
        phase,
        category,
        endsOn,
        probationMonths: null,
        labelledOn: on,
        mergedFrom,
        synthetic: true,
      },
      on,
    );
    return p;
  };
  const active = (on: string) =>
    poles.filter((p) => (p.closedOn === null || p.closedOn > on) && p.periods.some(([a, b]) => a <= on && on <= b));
  const renew = function* (p: P, on: string, phase: number, endsOn: string, probationMonths: number | null = null) {
    p.periods.push([on, endsOn]);
    const category = phase <= 3 ? p.category : null;
    yield ev(
      `pole-${p.id}`,
      'PoleLabelRenewed',
      { poleId: p.id, phase, category, endsOn, probationMonths, renewedOn: on },
      on,
    );
  };
  for (let i = 0; i < 67; i++) yield* label(i, '2005-07-12', 1, '2008-12-31');
  // two national pôles merge in 2006 (66), five added in 2007 (71)
  const merged = [poles[65]!, poles[66]!];
  const into = yield* label(
    67,
    '2006-06-01',
    1,
    '2008-12-31',
    merged.map((p) => p.id),
  );
  for (const p of merged) {
    p.closedOn = '2006-06-01';
    const other = merged.find((x) => x !== p)!.id;
    yield ev(
      `pole-${p.id}`,
      'PolesMerged',
      { poleId: p.id, into: into.id, mergedWith: [other], mergedOn: '2006-06-01' },
      '2006-06-01',
    );
  }
  for (let i = 68; i < 73; i++) yield* label(i, '2007-07-05', 1, '2008-12-31');
  const ratings2008 = ['met', 'partly_met', 'to_reconfigure'] as const;
  const p2008 = active('2008-06-18');
  for (const [k, p] of p2008.entries())
    yield ev(
      `pole-${p.id}`,
      'PoleEvaluated',
      { poleId: p.id, campaign: 2008, rating: ratings2008[k < 39 ? 0 : k < 58 ? 1 : 2], evaluatedOn: '2008-06-18' },
      '2008-06-18',
    );
  for (const p of p2008) yield* renew(p, '2009-01-01', 2, '2012-12-31');
  for (const p of p2008.slice(-6)) {
    p.closedOn = '2010-05-11';
    yield ev(
      `pole-${p.id}`,
      'PoleDelabelled',
      { poleId: p.id, delabelledOn: '2010-05-11', reason: 'Évaluation 2008 : à reconfigurer' },
      '2010-05-11',
    );
  }
  for (let i = 73; i < 79; i++) yield* label(i, '2010-05-11', 2, '2012-12-31');
  const ratings2012 = ['tres_performant', 'performant', 'moins_performant'] as const;
  const p2012 = active('2012-06-26');
  for (const [k, p] of p2012.entries())
    yield ev(
      `pole-${p.id}`,
      'PoleEvaluated',
      { poleId: p.id, campaign: 2012, rating: ratings2012[k < 20 ? 0 : k < 55 ? 1 : 2], evaluatedOn: '2012-06-26' },
      '2012-06-26',
    );
  const p2013 = p2012;
  for (const p of p2013) yield* renew(p, '2013-01-09', 3, '2019-02-04');
  yield ev(
    `pole-${p2013[10]!.id}`,
    'PoleCategoryChanged',
    { poleId: p2013[10]!.id, category: 'mondial', changedOn: '2014-02-03' },
    '2014-02-03',
  );
  const p2019 = p2013.slice(0, 56);
  for (const p of p2019) yield* renew(p, '2019-02-05', 4, '2023-03-26');
  const p2023 = p2019.slice(0, 53);
  for (const [k, p] of p2023.entries()) yield* renew(p, '2023-03-27', 5, '2026-12-31', k >= 50 ? 12 : null);
  for (const p of p2023.slice(50))
    yield ev(
      `pole-${p.id}`,
      'PoleProbationEnded',
      { poleId: p.id, outcome: 'kept', endedOn: '2024-03-27' },
      '2024-03-27',
    );

  // 26 FUI calls, two a year from 2006
  const calls = Array.from({ length: 26 }, (_, k) => {
    const year = 2006 + Math.floor(k / 2);
    const opensOn = k % 2 === 0 ? `${year}-01-09` : `${year}-09-04`;
    return { number: k + 1, opensOn, closesOn: addDaysTo(opensOn, 70), publishedOn: addDaysTo(opensOn, 200) };
  });
  for (const c of calls) {
    const s = `fuicall-${c.number}`;
    yield ev(
      s,
      'FuiCallOpened',
      { callNumber: c.number, opensOn: c.opensOn, closesOn: c.closesOn, synthetic: true },
      c.opensOn,
    );
    const submitted = int(110, 220);
    const selected = Math.round(submitted * 0.45);
    yield ev(
      s,
      'FuiCallResultsPublished',
      {
        callNumber: c.number,
        publishedOn: c.publishedOn,
        submitted,
        selected,
        stateCents: selected * int(600, 900) * 1000_00,
        localAuthoritiesCents: selected * int(500, 800) * 1000_00,
        source: 'bench (synthetic)',
      },
      c.publishedOn,
    );
  }

  // contracts (while pôles lack one for a period) and FUI projects until the target
  const slots = [
    ...p2013.map((p) => ({ p, from: 2013, to: 2018, on: '2013-03-15' })),
    ...p2019.map((p) => ({ p, from: 2019, to: 2022, on: '2019-04-01' })),
  ];
  let projects = 0;
  while (n < target) {
    if (slots.length > 0 && r() < 0.25) {
      const { p, from, to, on } = slots.shift()!;
      const id = `pc-${p.id}-${from}`;
      const s = `polecontract-${id}`;
      // the Regions concerned: the pôle's, as labelled (poleRegions in the decider)
      const concerned = [...new Set([p.main, ...p.others])];
      yield ev(
        s,
        'PerformanceContractDrafted',
        {
          contractId: id,
          poleId: p.id,
          title: `Contrat de performance ${from}–${to}`,
          periodFrom: from,
          periodTo: to,
          regions: concerned,
          draftedOn: on,
        },
        on,
      );
      const madeOn = addDaysTo(on, int(5, 20));
      const dueOn = `${to}-12-31`;
      const parties: [string, string | null, string][] = [
        ['state', null, 'État (DGE)'],
        ['pole', null, `Pôle ${p.id}`],
        ['member', null, `Membre ${p.id}`],
        ...concerned.map((x): [string, string | null, string] => ['region', x, `Région ${x}`]),
      ];
      let total = 0;
      for (const [k, [party, regionCode, partyName]] of parties.entries()) {
        const amountCents = int(100, 900) * 1000_00;
        total += amountCents;
        yield ev(
          s,
          'PerformanceCommitmentMade',
          {
            contractId: id,
            commitmentId: `${id}-${k}`,
            party,
            regionCode,
            partyName,
            partySiren: party === 'member' ? siren(500000 + Number(p.id.slice(5))) : null,
            objective: party === 'pole' ? 'projets industrialisés' : null,
            description: `Engagement ${party}`,
            amountCents,
            dueOn,
            madeOn,
          },
          madeOn,
        );
      }
      for (const indicator of ['products_services', 'jobs'] as const)
        yield ev(
          s,
          'ImpactObjectiveSet',
          {
            contractId: id,
            objectiveId: `${id}-${indicator}`,
            indicator,
            target: indicator === 'jobs' ? int(50, 400) : int(10, 40),
            dueOn,
            setOn: madeOn,
          },
          madeOn,
        );
      let submission = 1;
      let submittedOn = addDaysTo(madeOn, int(5, 20));
      const submitted = () =>
        ev(
          s,
          'PerformanceContractSubmitted',
          {
            contractId: id,
            submission,
            submittedOn,
            commitmentCount: parties.length,
            totalCents: total,
          },
          submittedOn,
        );
      yield submitted();
      if (r() < 0.1) {
        const decidedOn = addDaysTo(submittedOn, int(10, 40));
        yield ev(
          s,
          'PerformanceContractRefused',
          {
            contractId: id,
            decider: 'region',
            regionCode: concerned[0]!,
            submission,
            decidedOn,
            reason: 'engagements à préciser',
          },
          decidedOn,
        );
        submission++;
        submittedOn = addDaysTo(decidedOn, int(10, 30));
        yield submitted();
      }
      let decidedOn = addDaysTo(submittedOn, int(20, 50));
      yield ev(
        s,
        'PerformanceContractValidatedByState',
        { contractId: id, submission, decidedOn, comment: null },
        decidedOn,
      );
      for (const regionCode of concerned) {
        decidedOn = addDaysTo(decidedOn, int(0, 20));
        yield ev(
          s,
          'PerformanceContractValidatedByRegion',
          { contractId: id, regionCode, submission, decidedOn, comment: null },
          decidedOn,
        );
      }
      yield ev(s, 'PerformanceContractCoValidated', { contractId: id, submission, validatedOn: decidedOn }, decidedOn);
      const reviewedOn = `${from + Math.floor((to - from) / 2)}-03-01`;
      yield ev(
        s,
        'MidTermReviewRecorded',
        {
          contractId: id,
          reviewedOn,
          results: [
            { objectiveId: `${id}-products_services`, achieved: int(3, 20) },
            { objectiveId: `${id}-jobs`, achieved: int(20, 200) },
          ],
          comment: 'Revue à mi-parcours',
        },
        reviewedOn,
      );
      continue;
    }
    const c = calls[int(0, calls.length - 1)]!;
    const id = `fui${c.number}-${++projects}`;
    const s = `fuiproject-${id}`;
    const submittedOn = addDaysTo(c.opensOn, int(5, 60));
    const candidates = active(submittedOn);
    const labelling = [candidates[int(0, candidates.length - 1)]!];
    if (r() < 0.3) {
      const other = candidates[int(0, candidates.length - 1)]!;
      if (other !== labelling[0]) labelling.push(other);
    }
    const phase3 = submittedOn >= '2013-01-09';
    const k = projects;
    yield ev(
      s,
      'FuiProjectSubmitted',
      {
        projectId: id,
        callNumber: c.number,
        title: `Projet collaboratif ${id}`,
        consortium: [
          {
            name: `Industriel ${id}`,
            kind: 'firm',
            siren: siren(1_000_000 + 3 * k),
            size: k % 3 === 0 ? 'large' : 'eti',
            lead: true,
          },
          { name: `PME ${id}`, kind: 'firm', siren: siren(1_000_001 + 3 * k), size: 'sme', lead: false },
          ...(k % 2 === 0
            ? [{ name: `PME bis ${id}`, kind: 'firm', siren: siren(1_000_002 + 3 * k), size: 'sme', lead: false }]
            : []),
          { name: `Laboratoire ${id}`, kind: 'lab', siren: null, size: null, lead: false },
        ],
        labellingPoles: labelling.map((p) => p.id),
        regionCode: labelling[0]!.main,
        budgetCents: int(15, 60) * 100_000_00,
        impactObjectives: phase3
          ? [
              { indicator: 'products_services', target: int(1, 3) },
              { indicator: 'jobs', target: int(5, 40) },
            ]
          : [],
        submittedOn,
        synthetic: true,
      },
      submittedOn,
    );
    if (r() >= 0.45) {
      yield ev(
        s,
        'FuiProjectRejected',
        { projectId: id, rejectedOn: c.publishedOn, reason: 'Non retenu' },
        c.publishedOn,
      );
      continue;
    }
    yield ev(
      s,
      'FuiProjectSelected',
      { projectId: id, stateGrantCents: int(300, 1500) * 1000_00, selectedOn: c.publishedOn },
      c.publishedOn,
    );
    const cofunders = [
      ...new Set(labelling.map((p) => (c.publishedOn >= '2016-01-01' ? currentRegionOf(p.main) : p.main))),
    ];
    let d = c.publishedOn;
    for (const regionCode of cofunders) {
      d = addDaysTo(d, int(10, 60));
      yield ev(
        s,
        'FuiProjectCoFunded',
        { projectId: id, regionCode, amountCents: int(200, 1200) * 1000_00, decidedOn: d },
        d,
      );
    }
    const startedOn = addDaysTo(d, int(10, 90));
    yield ev(s, 'FuiProjectStarted', { projectId: id, startedOn }, startedOn);
    if (k % 6 === 5) continue; // still running, or never completed
    const completedOn = addMonthsTo(startedOn, int(30, 40));
    yield ev(s, 'FuiProjectCompleted', { projectId: id, completedOn }, completedOn);
    if (!phase3 || k % 5 === 4) continue;
    const reportedOn = addMonthsTo(completedOn, 12);
    yield ev(
      s,
      'FuiProjectImpactReported',
      {
        projectId: id,
        reportedOn,
        productsServices: int(1, 3),
        jobs: int(3, 30),
        revenueCents: int(5, 80) * 100_000_00,
        patents: int(0, 4),
      },
      reportedOn,
    );
  }
}
