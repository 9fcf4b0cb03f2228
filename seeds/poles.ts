import { handleCommand, loadAggregate, type Dependencies } from '../src/application/commandHandler.ts';
import { createHash } from 'node:crypto';
import { currentRegionOf, regionsInForce } from '../src/domain/kernel/regions.ts';
import type { Decider } from '../src/domain/kernel/decider.ts';
import type { DomainEvent } from '../src/domain/kernel/shared.ts';
import { builtInProgramme } from '../src/domain/programmes/index.ts';
import {
  POLES_PROGRAMME,
  addMonths,
  fuiCallDecider,
  fuiProjectDecider,
  performanceContractDecider,
  poleDecider,
  type FuiProjectCommand,
  type Member,
  type PerformanceContractCommand,
  type PoleCategory,
  type PoleCommand,
  type Rating,
} from '../src/domain/poles-competitivite/index.ts';
import { fuiCallStream, fuiProjectStream, performanceContractStream, poleStream } from '../src/eventstore/streams.ts';
import type { Actor } from '../src/eventstore/types.ts';
import { mapLimit } from '../src/importer/concurrency.ts';
import { addDays, prng } from './history.ts';

/**
 * The pôles de compétitivité in the demo history (issue 18), through the real command handlers.
 *
 * Real (programmes.md): the counts and dates — 67 pôles on 2005-07-12 (6 mondiaux, 9 à vocation
 * mondiale, 52 nationaux), 5 added on 2007-07-05 (71), the 2008 evaluation 39 / 19 / 13, six
 * delabelled and six added on 2010-05-11, the 2012 evaluation 20 / 35 / 16, 71 at the start of
 * phase 3 (2013-01-09) with 2013–2018 contracts co-validated by the State and their Regions, 66
 * after mergers by the end of 2018, 56 = 48 + 8 on 2019-02-05, 55 = 47 + 2 new + 6 on probation on
 * 2023-03-27; the published figures of FUI calls 10, 13, 16, 17, 18, 23; the names of the
 * Auvergne-Rhône-Alpes pôles of 2023.
 * Synthetic (every pôle has `synthetic: true`, FUI projects too, call windows too): which pôle is
 * which beyond those names, Regions, categories, ratings, the merger of 2006 that makes 67 + 5 =
 * 71, the mergers of 2014–2017, contracts' terms, the call windows, and the FUI projects: one in
 * five of each call's published submitted and selected counts, with its share of the published
 * euros, most completed phase-3 projects with an impact report.
 */
const PROGRAMME = builtInProgramme(POLES_PROGRAMME)!;
const bounds = { id: PROGRAMME.programmeId, launchedOn: PROGRAMME.launchedOn, endsOn: PROGRAMME.endsOn };
const STATE: Actor = {
  sub: 'demo-admin-dge',
  name: 'Administrateur du programme, DGE (synthétique)',
  roles: ['programme_admin'],
};
const manager = (poleId: string): Actor => ({
  sub: `demo-pole-manager-${poleId}`,
  name: `Direction du pôle ${poleId} (synthétique)`,
  roles: ['pole_manager'],
});
const officer = (code: string): Actor => ({
  sub: `demo-regional-officer-${code}`,
  name: `Chargé de mission industrie, région ${code} (synthétique)`,
  roles: ['regional_officer'],
});

export const POLES_DEMO_CORRELATION_ID = 'seed:demo-history:poles';

/** Auvergne-Rhône-Alpes' pôles of 2023 (programmes.md): the demo's named pôles. */
const NAMED = [
  'Axelera',
  'CARA',
  'CIMES',
  "Innov'Alliance",
  'Lyonbiopôle',
  'Minalogic',
  'Nuclear Valley',
  'Polymeris',
  'Techtera',
  'Tenerrdis',
  'Végépolys Valley',
  'Xylofutur',
  'Infr@2050',
];
/** Metropolitan Regions before 2016 (the pôles' Regions when labelled): the 22 of INSEE's COG. */
const OLD_REGIONS = regionsInForce('2015-12-31')
  .filter((r) => r.kind === 'metropolitan')
  .map((r) => r.code);
const THEMES = [
  'aéronautique',
  'santé',
  'numérique',
  'chimie',
  'énergie',
  'matériaux',
  'agroalimentaire',
  'mobilité',
  'mer',
  'textile',
];

/** The FUI calls of programmes.md: published results; windows synthetic. */
export const FUI_CALLS = [
  {
    number: 10,
    opensOn: '2010-01-11',
    closesOn: '2010-03-31',
    publishedOn: '2010-07-30',
    submitted: 216,
    selected: 73,
    stateEur: 63e6,
    localEur: 60e6,
  },
  {
    number: 13,
    opensOn: '2011-10-03',
    closesOn: '2011-12-02',
    publishedOn: '2012-03-06',
    submitted: 151,
    selected: 63,
    stateEur: 58.4e6,
    localEur: 41.2e6,
  },
  {
    number: 16,
    opensOn: '2013-03-04',
    closesOn: '2013-05-15',
    publishedOn: '2013-11-20',
    submitted: 123,
    selected: 68,
    stateEur: 51e6,
    localEur: 42e6,
  },
  {
    number: 17,
    opensOn: '2013-11-04',
    closesOn: '2014-01-15',
    publishedOn: '2014-05-26',
    submitted: 134,
    selected: 65,
    stateEur: 50e6,
    localEur: 39e6,
  },
  {
    number: 18,
    opensOn: '2014-03-03',
    closesOn: '2014-05-14',
    publishedOn: '2014-09-26',
    submitted: 128,
    selected: 67,
    stateEur: 42.8e6,
    localEur: 45.9e6,
  },
  {
    number: 23,
    opensOn: '2016-09-05',
    closesOn: '2016-11-16',
    publishedOn: '2017-03-15',
    submitted: 121,
    selected: 55,
    stateEur: 38e6,
    localEur: 38e6,
  },
] as const;
const FUI_SOURCE = 'actu-environnement.com/ae/news/poles-competitivite-21800.php4; aefinfo.fr/depeche/487445';

interface PlannedPole {
  id: string;
  name: string;
  mainRegion: string;
  otherRegions: string[];
  category: PoleCategory | null;
  /** Label periods [from, to] as planned (to compute which pôles label a project). */
  periods: [string, string][];
  closedOn: string | null;
}
type Cmd = {
  stream: string;
  date: string;
  actor: Actor;
  decider: Decider<any, DomainEvent, any>;
  build: (read: Reader) => Promise<object>;
};
type Reader = { pole: (id: string) => Promise<unknown>; call: (n: number) => Promise<unknown> };

/** The whole plan: pôle commands, contracts, calls, projects (pure, seeded). */
export function buildPolesPlan(): { stages: Cmd[][]; poles: Map<string, PlannedPole> } {
  const rnd = prng(20050712);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const poles = new Map<string, PlannedPole>();
  const poleCmds: Cmd[] = [];
  const pc = (id: string, date: string, data: object, type: PoleCommand['type']): void => {
    poleCmds.push({
      stream: poleStream(id),
      date,
      actor: STATE,
      decider: poleDecider,
      build: async () => ({ type, data: { poleId: id, ...data } }),
    });
  };
  let seq = 0;
  const newPole = (
    date: string,
    category: PoleCategory | null,
    phase: number,
    endsOn: string,
    extra: { mainRegion?: string; mergedFrom?: string[]; probationMonths?: number } = {},
  ) => {
    seq++;
    const id = `pole-${String(seq).padStart(3, '0')}`;
    const mainRegion =
      extra.mainRegion ?? (seq <= 13 ? (seq % 3 === 0 ? '83' : '82') : OLD_REGIONS[seq % OLD_REGIONS.length]!);
    const inForce = date >= '2016-01-01' ? currentRegionOf(mainRegion) : mainRegion;
    const others =
      seq % 4 === 0
        ? [OLD_REGIONS[(seq + 5) % OLD_REGIONS.length]!]
            .map((r) => (date >= '2016-01-01' ? currentRegionOf(r) : r))
            .filter((r) => r !== inForce)
        : [];
    const name = seq <= 13 ? NAMED[seq - 1]! : `Pôle synthétique ${String(seq).padStart(3, '0')}`;
    const p: PlannedPole = {
      id,
      name,
      mainRegion: inForce,
      otherRegions: others,
      category,
      periods: [[date, endsOn]],
      closedOn: null,
    };
    poles.set(id, p);
    pc(
      id,
      date,
      {
        name,
        theme: THEMES[seq % THEMES.length]!,
        mainRegion: inForce,
        otherRegions: others,
        phase,
        category,
        endsOn,
        labelledOn: date,
        mergedFrom: extra.mergedFrom ?? [],
        probationMonths: extra.probationMonths ?? null,
        synthetic: true,
      },
      'LabelPole',
    );
    return p;
  };
  const active = (date: string) =>
    [...poles.values()].filter(
      (p) => (p.closedOn === null || p.closedOn > date) && p.periods.some(([a, b]) => a <= date && date <= b),
    );
  const renew = (
    p: PlannedPole,
    date: string,
    phase: number,
    endsOn: string,
    probationMonths: number | null = null,
  ) => {
    p.periods.push([date, endsOn]);
    pc(
      p.id,
      date,
      { phase, category: phase <= 3 ? p.category : null, endsOn, renewedOn: date, probationMonths },
      'RenewPoleLabel',
    );
  };
  const merge = (from: PlannedPole[], date: string, phase: number, endsOn: string) => {
    const into = newPole(date, from[0]!.category, phase, endsOn, {
      mainRegion: from[0]!.mainRegion,
      mergedFrom: from.map((f) => f.id),
    });
    for (const f of from) {
      f.closedOn = date;
      pc(
        f.id,
        date,
        { into: into.id, mergedWith: from.filter((x) => x !== f).map((x) => x.id), mergedOn: date },
        'MergePole',
      );
    }
    return into;
  };

  // phase 1: 67 = 6 + 9 + 52 on 2005-07-12
  for (let i = 0; i < 67; i++)
    newPole('2005-07-12', i < 6 ? 'mondial' : i < 15 ? 'vocation_mondiale' : 'national', 1, '2008-12-31');
  // (synthetic) two national pôles merge in 2006: 66, then 5 added on 2007-07-05: 71
  merge([poles.get('pole-066')!, poles.get('pole-067')!], '2006-06-01', 1, '2008-12-31');
  for (let i = 0; i < 5; i++) newPole('2007-07-05', 'national', 1, '2008-12-31');
  // the 2008 evaluation: 39 met, 19 partly, 13 to reconfigure
  const e2008 = active('2008-06-18');
  const rate = (list: PlannedPole[], campaign: 2008 | 2012, date: string, counts: [Rating, number][]) => {
    let i = 0;
    for (const [rating, n] of counts)
      for (let k = 0; k < n; k++) pc(list[i++]!.id, date, { campaign, rating, evaluatedOn: date }, 'EvaluatePole');
  };
  rate(e2008, 2008, '2008-06-18', [
    ['met', 39],
    ['partly_met', 19],
    ['to_reconfigure', 13],
  ]);
  // phase 2 (2009–2012)
  for (const p of e2008) renew(p, '2009-01-01', 2, '2012-12-31');
  // 2010-05-11: six of those to reconfigure delabelled, six eco-technology pôles added
  for (const p of e2008.slice(-6)) {
    p.closedOn = '2010-05-11';
    pc(
      p.id,
      '2010-05-11',
      {
        delabelledOn: '2010-05-11',
        reason: 'Évaluation 2008 : à reconfigurer profondément (délabellisé le 11 mai 2010)',
      },
      'DelabelPole',
    );
  }
  for (let i = 0; i < 6; i++) newPole('2010-05-11', 'national', 2, '2012-12-31');
  // the 2012 evaluation: 20 / 35 / 16
  const e2012 = active('2012-06-26');
  rate(e2012, 2012, '2012-06-26', [
    ['tres_performant', 20],
    ['performant', 35],
    ['moins_performant', 16],
  ]);
  // phase 3: 71 renewed on 2013-01-09, until the phase 4 decision
  for (const p of e2012) renew(p, '2013-01-09', 3, '2019-02-04');
  const phase3 = active('2013-01-09');
  // mergers down to 66 by the end of 2018 (synthetic pairs and dates)
  const late = phase3.slice(40);
  for (let i = 0; i < 5; i++)
    merge(
      [late[2 * i]!, late[2 * i + 1]!],
      ['2014-06-01', '2015-03-01', '2016-02-01', '2017-01-15', '2017-09-01'][i]!,
      3,
      '2019-02-04',
    );
  // 2019-02-05: 48 for four years, 8 for one year, 10 not renewed
  const at2019 = active('2019-02-04');
  at2019.slice(0, 48).forEach((p) => renew(p, '2019-02-05', 4, '2023-03-26'));
  const oneYear = at2019.slice(48, 56);
  oneYear.forEach((p) => renew(p, '2019-02-05', 4, '2020-02-04'));
  // (synthetic) the 8 improved: renewed for the rest of phase 4
  oneYear.forEach((p) => renew(p, '2020-02-05', 4, '2023-03-26'));
  // 2023-03-27: 47 for four years, 6 on probation, 2 new for two years (3 not renewed)
  const at2023 = active('2023-03-26');
  at2023.slice(0, 47).forEach((p) => renew(p, '2023-03-27', 5, '2026-12-31'));
  at2023.slice(47, 53).forEach((p, i) => renew(p, '2023-03-27', 5, '2026-12-31', i < 3 ? 12 : 24));
  for (let i = 0; i < 2; i++) newPole('2023-03-27', null, 5, '2025-03-26', { mainRegion: '84' });
  // (synthetic) the 12-month probations resolved on 2024-03-27: kept
  at2023
    .slice(47, 50)
    .forEach((p) => pc(p.id, '2024-03-27', { outcome: 'kept', endedOn: '2024-03-27' }, 'EndPoleProbation'));

  // performance contracts 2013–2018 of the 71 pôles of phase 3, co-validated
  const contracts: Cmd[] = [];
  for (const p of phase3) {
    const id = `pc-${p.id}-2013`;
    const stream = performanceContractStream(id);
    const m = manager(p.id);
    const add = (date: string, actor: Actor, data: object, type: PerformanceContractCommand['type']) =>
      contracts.push({
        stream,
        date,
        actor,
        decider: performanceContractDecider,
        build: async () => ({ type, data: { contractId: id, ...data } }),
      });
    contracts.push({
      stream,
      date: '2013-03-15',
      actor: m,
      decider: performanceContractDecider,
      build: async (r) => ({
        type: 'DraftPerformanceContract',
        data: {
          contractId: id,
          poleId: p.id,
          title: `Contrat de performance 2013–2018 — ${p.name}`,
          periodFrom: 2013,
          periodTo: 2018,
          draftedOn: '2013-03-15',
          pole: await r.pole(p.id),
        },
      }),
    });
    const commit = (k: string, party: string, partyName: string, eur: number, regionCode: string | null = null) =>
      add(
        '2013-04-02',
        m,
        {
          commitmentId: `${id}-${k}`,
          party,
          regionCode,
          partyName,
          objective: party === 'pole' ? 'Usine à produits d’avenir : projets industrialisés' : null,
          description: `Engagement ${party} (synthétique)`,
          amountEur: eur,
          dueOn: '2018-12-31',
          madeOn: '2013-04-02',
        },
        'MakePerformanceCommitment',
      );
    commit('state', 'state', 'État (DGE)', int(400, 900) * 1000);
    commit('pole', 'pole', p.name, int(100, 300) * 1000);
    for (const r of [p.mainRegion, ...p.otherRegions])
      commit(`region-${r}`, 'region', `Région ${r}`, int(200, 600) * 1000, r);
    add(
      '2013-04-02',
      m,
      {
        objectiveId: `${id}-products`,
        indicator: 'products_services',
        target: int(10, 40),
        dueOn: '2018-12-31',
        setOn: '2013-04-02',
      },
      'SetImpactObjective',
    );
    add(
      '2013-04-02',
      m,
      { objectiveId: `${id}-jobs`, indicator: 'jobs', target: int(50, 400), dueOn: '2018-12-31', setOn: '2013-04-02' },
      'SetImpactObjective',
    );
    add('2013-04-15', m, { submittedOn: '2013-04-15' }, 'SubmitPerformanceContract');
    add('2013-06-03', STATE, { decision: 'validated', decidedOn: '2013-06-03' }, 'DecidePerformanceContractForState');
    for (const r of [p.mainRegion, ...p.otherRegions])
      add(
        '2013-06-20',
        officer(r),
        { regionCode: r, officerRegions: [r], decision: 'validated', decidedOn: '2013-06-20' },
        'DecidePerformanceContractForRegion',
      );
    add(
      '2016-03-01',
      m,
      {
        reviewedOn: '2016-03-01',
        results: [
          { objectiveId: `${id}-products`, achieved: int(3, 20) },
          { objectiveId: `${id}-jobs`, achieved: int(20, 200) },
        ],
        comment: 'Revue à mi-parcours (synthétique)',
      },
      'RecordMidTermReview',
    );
  }

  // FUI calls and synthetic projects (one in five)
  const calls: Cmd[] = [];
  const projects: Cmd[] = [];
  for (const c of FUI_CALLS) {
    const stream = fuiCallStream(c.number);
    calls.push({
      stream,
      date: c.opensOn,
      actor: STATE,
      decider: fuiCallDecider,
      build: async () => ({
        type: 'OpenFuiCall',
        data: { callNumber: c.number, opensOn: c.opensOn, closesOn: c.closesOn, synthetic: true },
      }),
    });
    calls.push({
      stream,
      date: c.publishedOn,
      actor: STATE,
      decider: fuiCallDecider,
      build: async () => ({
        type: 'PublishFuiCallResults',
        data: {
          callNumber: c.number,
          publishedOn: c.publishedOn,
          submitted: c.submitted,
          selected: c.selected,
          stateEur: c.stateEur,
          localAuthoritiesEur: c.localEur,
          source: FUI_SOURCE,
        },
      }),
    });
    const submitted = Math.round(c.submitted / 5);
    const selected = Math.round(c.selected / 5);
    const grant = Math.round(c.stateEur / c.selected);
    const local = Math.round(c.localEur / c.selected);
    for (let i = 0; i < submitted; i++) {
      const id = `fui${c.number}-${String(i + 1).padStart(3, '0')}`;
      const stream2 = fuiProjectStream(id);
      const submittedOn = addDays(c.opensOn, int(5, 30));
      const candidates = active(submittedOn);
      const pole = candidates[int(0, candidates.length - 1)]!;
      const m = manager(pole.id);
      const phase3 = submittedOn >= '2013-01-09';
      const consortium: Member[] = [
        {
          name: `Industrie synthétique ${id} SA`,
          kind: 'firm',
          siren: `99${String(c.number).padStart(2, '0')}${String(i + 1).padStart(5, '0')}`,
          size: i % 3 === 0 ? 'large' : 'eti',
          lead: true,
        },
        {
          name: `PME synthétique ${id}`,
          kind: 'firm',
          siren: `98${String(c.number).padStart(2, '0')}${String(i + 1).padStart(5, '0')}`,
          size: 'sme',
          lead: false,
        },
        { name: `Laboratoire synthétique ${id}`, kind: 'lab', siren: null, size: null, lead: false },
      ];
      const add = (date: string, actor: Actor, build: Cmd['build']) =>
        projects.push({ stream: stream2, date, actor, decider: fuiProjectDecider, build });
      add(submittedOn, m, async (r) => ({
        type: 'SubmitFuiProject',
        data: {
          projectId: id,
          callNumber: c.number,
          title: `Projet collaboratif synthétique ${id}`,
          consortium,
          labellingPoles: [pole.id],
          budgetEur: int(15, 60) * 100_000,
          impactObjectives: phase3
            ? [
                { indicator: 'products_services', target: int(1, 3) },
                { indicator: 'jobs', target: int(5, 40) },
              ]
            : [],
          submittedOn,
          synthetic: true,
          call: await r.call(c.number),
          poles: { [pole.id]: await r.pole(pole.id) },
        },
      }));
      const data = (o: object) => ({ projectId: id, ...o });
      const cmd =
        (type: FuiProjectCommand['type'], o: object, call = false) =>
        async (r: Reader) => ({ type, data: data({ ...o, ...(call ? { call: await r.call(c.number) } : {}) }) });
      if (i >= selected) {
        add(
          c.publishedOn,
          STATE,
          cmd(
            'RejectFuiProject',
            { rejectedOn: c.publishedOn, reason: 'Non retenu par le groupe de travail interministériel (synthétique)' },
            true,
          ),
        );
        continue;
      }
      add(c.publishedOn, STATE, cmd('SelectFuiProject', { stateGrantEur: grant, selectedOn: c.publishedOn }, true));
      const region = c.publishedOn >= '2016-01-01' ? currentRegionOf(pole.mainRegion) : pole.mainRegion;
      add(
        addDays(c.publishedOn, 30),
        officer(region),
        cmd('CoFundFuiProject', {
          regionCode: region,
          officerRegions: [region],
          amountEur: local,
          decidedOn: addDays(c.publishedOn, 30),
        }),
      );
      const startedOn = addDays(c.publishedOn, int(30, 120));
      add(startedOn, m, cmd('StartFuiProject', { startedOn }));
      if (i % 6 === 5) continue; // still running (or never completed)
      const completedOn = addMonths(startedOn, int(30, 40));
      add(completedOn, m, cmd('CompleteFuiProject', { completedOn }));
      if (!phase3 || i % 5 === 4) continue;
      const reportedOn = addMonths(completedOn, 12);
      add(
        reportedOn,
        m,
        cmd('ReportFuiProjectImpact', {
          reportedOn,
          productsServices: int(1, 3),
          jobs: int(3, 30),
          revenueEur: int(5, 80) * 100_000,
          patents: int(0, 4),
        }),
      );
    }
  }
  return { stages: [poleCmds, contracts, calls, projects], poles };
}

const commandIdOf = (stream: string, i: number) => {
  const h = createHash('sha256').update(`ti-ledger demo poles ${stream} ${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** Plays the plan: stage by stage, each stream's commands in date order, streams side by side. */
/**
 * Each pôles demo stream's last command id (in the order `loadPolesDemo` runs them), so a start
 * can tell a demo load cut short during the pôles part (seeds/index.ts, `demoCutShort`).
 */
export function polesDemoLastCommands(until?: string): Map<string, string> {
  const last = new Map<string, string>();
  for (const stage of buildPolesPlan().stages) {
    const count = new Map<string, number>();
    for (const c of stage) if (!until || c.date <= until) count.set(c.stream, (count.get(c.stream) ?? 0) + 1);
    for (const [stream, n] of count) last.set(stream, commandIdOf(stream, n - 1));
  }
  return last;
}

export async function loadPolesDemo(
  deps: Dependencies,
  opts: { today: string; until?: string | undefined; resume?: boolean | undefined; concurrency?: number },
): Promise<{ commands: number; events: number; skipped: number; lastPosition: bigint | undefined }> {
  const { stages } = buildPolesPlan();
  const reader: Reader = {
    pole: async (id) => (await loadAggregate(deps, poleStream(id), poleDecider)).state,
    call: async (n) => (await loadAggregate(deps, fuiCallStream(n), fuiCallDecider)).state,
  };
  let commands = 0;
  let events = 0;
  let skipped = 0;
  let lastPosition: bigint | undefined;
  for (const stage of stages) {
    const byStream = new Map<string, Cmd[]>();
    for (const c of stage)
      if (!opts.until || c.date <= opts.until) byStream.set(c.stream, [...(byStream.get(c.stream) ?? []), c]);
    await mapLimit([...byStream.entries()], opts.concurrency ?? 16, async ([stream, list]) => {
      list.sort((a, b) => a.date.localeCompare(b.date)); // stable: same-day commands keep their order
      const done = new Set<string>();
      if (opts.resume)
        for await (const e of deps.store.readStream(stream)) {
          const id = (e.metadata as { commandId?: unknown }).commandId;
          if (typeof id === 'string') done.add(id);
        }
      for (const [i, c] of list.entries()) {
        const commandId = commandIdOf(stream, i);
        if (done.has(commandId)) {
          skipped++;
          continue;
        }
        const command = {
          ...(await c.build(reader)),
          metadata: { actor: c.actor, today: opts.today, programme: bounds },
        };
        try {
          const r = await handleCommand(deps, stream, c.decider, command, {
            actor: c.actor,
            correlationId: POLES_DEMO_CORRELATION_ID,
            commandId,
            retries: 5,
          });
          commands++;
          events += r.events.length;
          if (r.position !== undefined && (lastPosition === undefined || r.position > lastPosition))
            lastPosition = r.position;
        } catch (err) {
          throw new Error(
            `demo history (pôles): ${(command as { type?: string }).type} on ${stream} dated ${c.date} failed: ${(err as Error).message}`,
            { cause: err },
          );
        }
      }
    });
  }
  return { commands, events, skipped, lastPosition };
}
