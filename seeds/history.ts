import { applicationStream, territoryStream } from '../src/eventstore/streams.ts';
import type { Axis } from '../src/domain/kernel/shared.ts';
import type { Epci } from '../src/domain/territoires-industrie/territory/territory.ts';
import type { FundingSource } from '../src/domain/territoires-industrie/project/project.ts';
import type { Actor } from '../src/eventstore/types.ts';

/**
 * The demo history of phase 1 (2018-2020), as a plan: pure, deterministic (seeded PRNG), no I/O.
 * `seeds/index.ts` plays it through the real command handlers in business-date order.
 *
 * Real: the dates and counts of the published milestones (docs: domain.md), the number of
 * territories per Region in Oct 2020, the 13 Grand Est territories of 22 Nov 2018 with their names
 * and their 2019 changes. Synthetic (flagged `synthetic: true` where the events have the field, and
 * named so): every other territory name, every EPCI (SIRENs starting 999), co-leads, commitments,
 * projects, amounts.
 */

export const PROGRAMME = 'territoires-industrie-2018';
export const SEED = 20181122;

/** mulberry32: a small, fast, seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- dates -------------------------------------------------------------------------------------
const DAY = 86_400_000;
const toDate = (s: string) => Date.parse(`${s}T00:00:00Z`);
const fromDate = (n: number) => new Date(n).toISOString().slice(0, 10);
export const addDays = (s: string, d: number) => fromDate(toDate(s) + d * DAY);
const daysBetween = (a: string, b: string) => Math.round((toDate(b) - toDate(a)) / DAY);
const maxD = (a: string, b: string) => (a > b ? a : b);
const minD = (a: string, b: string) => (a < b ? a : b);

// ---- reference data ----------------------------------------------------------------------------
/** Regions with their number of territories in Oct 2020 (148 in all). */
export const REGIONS: { code: string; name: string; territories2020: number }[] = [
  { code: '01', name: 'Guadeloupe', territories2020: 1 },
  { code: '02', name: 'Martinique', territories2020: 2 },
  { code: '03', name: 'Guyane', territories2020: 3 },
  { code: '04', name: 'La Réunion', territories2020: 2 },
  { code: '11', name: 'Île-de-France', territories2020: 9 },
  { code: '24', name: 'Centre-Val de Loire', territories2020: 8 },
  { code: '27', name: 'Bourgogne-Franche-Comté', territories2020: 10 },
  { code: '28', name: 'Normandie', territories2020: 8 },
  { code: '32', name: 'Hauts-de-France', territories2020: 13 },
  { code: '44', name: 'Grand Est', territories2020: 15 },
  { code: '52', name: 'Pays de la Loire', territories2020: 15 },
  { code: '53', name: 'Bretagne', territories2020: 12 },
  { code: '75', name: 'Nouvelle-Aquitaine', territories2020: 14 },
  { code: '76', name: 'Occitanie', territories2020: 9 },
  { code: '84', name: 'Auvergne-Rhône-Alpes', territories2020: 17 },
  { code: '93', name: "Provence-Alpes-Côte d'Azur", territories2020: 8 },
  { code: '94', name: 'Corse', territories2020: 2 },
];
const regionName = (code: string) => REGIONS.find((r) => r.code === code)!.name;

/** Grand Est on 22 Nov 2018: real names (domain.md); ids are the 2020 codes, 4490 for the territory later split. */
const GRAND_EST_2018: { id: string; name: string }[] = [
  { id: '4401', name: 'Alsace bossue – Saverne – Nord Alsace' },
  { id: '4402', name: 'Alsace centrale' },
  { id: '4403', name: 'Bassin de Joinville – Langres – Chaumont' },
  { id: '4404', name: 'Bazancourt – Pomacle' },
  { id: '4405', name: 'Epernay – Bassin sézannais – Portes de Romilly' },
  { id: '4406', name: 'Moselle Est' },
  { id: '4407', name: 'Nord Est Ardenne' },
  { id: '4408', name: 'Nord Lorraine' },
  { id: '4410', name: 'Sud Alsace' },
  { id: '4412', name: 'Troyes – Bar-sur-Aube' },
  /** No published code of its own: it was split in 2019 into 4411 and 4413. */
  { id: '4490', name: 'Val et Terres de Lorraine' },
  { id: '4414', name: 'Vitry-le-François – Saint-Dizier – Bar-le-Duc' },
  { id: '4415', name: 'Vosges' },
];
export const GRAND_EST_SPLIT_ON = '2019-06-14';
export const GRAND_EST_JOINVILLE_ON = '2019-07-05';
export const GRAND_EST_SEL_ET_VERMOIS_ON = '2019-10-10';

// ---- actors ------------------------------------------------------------------------------------
export const ADMINS: Actor[] = [
  { sub: 'demo-admin-anct', name: 'Administratrice du programme, ANCT (synthétique)', roles: ['programme_admin'] },
  { sub: 'demo-admin-dge', name: 'Administrateur du programme, DGE (synthétique)', roles: ['programme_admin'] },
];
export const validatorOf = (region: string): Actor => ({
  sub: `demo-validator-${region}`,
  name: `Validateur, Région ${regionName(region)} (synthétique)`,
  roles: ['regional_validator'],
});
export const leadOf = (territoryId: string): Actor => ({
  sub: `demo-lead-${territoryId}`,
  name: `Binôme co-pilote du territoire ${territoryId} (synthétique)`,
  roles: ['territory_lead'],
});

// ---- the plan ------------------------------------------------------------------------------------
export type Step =
  | {
      kind: 'label';
      date: string;
      actor: Actor;
      territoryId: string;
      name: string;
      regionCode: string;
      epcis: Epci[];
      splitFrom?: string;
      synthetic: boolean;
      /** Another programme than phase 1 (seeds/phase2.ts), and the phase-1 territory it renews. */
      programme?: string;
      succeeds?: string;
    }
  | { kind: 'coLeads'; date: string; actor: Actor; territoryId: string; programme?: string }
  // phase 2's call for applications (seeds/phase2.ts)
  | {
      kind: 'apply';
      date: string;
      actor: Actor;
      programme: string;
      territoryId: string;
      name: string;
      regionCode: string;
      epcis: Epci[];
      succeeds?: string;
    }
  | { kind: 'select' | 'decline'; date: string; actor: Actor; programme: string; territoryId: string }
  | { kind: 'labelFromApplication'; date: string; actor: Actor; programme: string; territoryId: string }
  | { kind: 'projectLead'; date: string; actor: Actor; programme: string; territoryId: string }
  | {
      kind: 'split';
      date: string;
      actor: Actor;
      territoryId: string;
      into: { territoryId: string; name: string; epcis: Epci[] }[];
    }
  | { kind: 'rename'; date: string; actor: Actor; territoryId: string; name: string }
  | {
      kind: 'perimeter';
      date: string;
      actor: Actor;
      territoryId: string;
      added: Epci[];
      removed: string[];
      reason: string;
    }
  | {
      kind: 'draft';
      date: string;
      actor: Actor;
      contractId: string;
      territoryId: string;
      title: string;
      contractKind: 'protocol' | 'contract';
    }
  | {
      kind: 'commit';
      date: string;
      actor: Actor;
      contractId: string;
      commitmentId: string;
      partyKind: 'industrial' | 'epci' | 'region' | 'state' | 'operator';
      partyName: string;
      partySiren: string | null;
      axis: Axis;
      description: string;
      amountEur: number;
      dueOn: string;
    }
  | { kind: 'submit'; date: string; actor: Actor; contractId: string }
  | { kind: 'requestChanges'; date: string; actor: Actor; contractId: string; regionCode: string; reason: string }
  | { kind: 'validate'; date: string; actor: Actor; contractId: string; regionCode: string }
  | { kind: 'sign'; date: string; actor: Actor; contractId: string; signatories: { name: string; role: string }[] }
  | {
      kind: 'register';
      date: string;
      actor: Actor;
      projectId: string;
      territoryId: string;
      contractId: string | null;
      title: string;
      axis: Axis;
      budgetEur: number;
    }
  | {
      kind: 'fund';
      date: string;
      actor: Actor;
      projectId: string;
      fundingId: string;
      source: FundingSource;
      amountEur: number;
    }
  | { kind: 'start'; date: string; actor: Actor; projectId: string }
  | { kind: 'abandon'; date: string; actor: Actor; projectId: string; reason: string };

export function streamOf(s: Step): string {
  switch (s.kind) {
    case 'label':
    case 'coLeads':
    case 'labelFromApplication':
    case 'projectLead':
      return territoryStream(s.territoryId, s.programme);
    case 'apply':
    case 'select':
    case 'decline':
      return applicationStream(s.territoryId, s.programme);
    case 'split':
    case 'rename':
    case 'perimeter':
      return `territory-${s.territoryId}`;
    case 'draft':
    case 'commit':
    case 'submit':
    case 'requestChanges':
    case 'validate':
    case 'sign':
      return `contract-${s.contractId}`;
    default:
      return `project-${s.projectId}`;
  }
}

interface T {
  id: string;
  name: string;
  region: string;
  labelledOn: string;
  /** Business date from which it takes no new contract or project (split). */
  endsOn?: string;
  epcis: Epci[];
}

const AXES: Axis[] = ['attractiveness', 'skills', 'innovation', 'simplification'];
const AXIS_WEIGHTS = [0.3, 0.3, 0.32, 0.08];
const SOURCES: Record<Axis, FundingSource[]> = {
  attractiveness: ['banque-des-territoires', 'business-france', 'region'],
  skills: ['pic', 'state', 'region'],
  innovation: ['bpifrance', 'pia', 'eu'],
  simplification: ['state', 'epci'],
};

export interface Plan {
  steps: Step[];
  /** The milestones the plan is built to reproduce (GET /reports/progress?asOf=). */
  milestones: { asOf: string; territories: number; contractsValidated?: number; projects: number | { min: number } }[];
}

export function buildPlan(seed = SEED): Plan {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
  const dateIn = (from: string, to: string) => addDays(from, int(0, daysBetween(from, to)));
  const shuffle = <X>(xs: X[]): X[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };
  const admin = () => pick(ADMINS);
  const steps: Step[] = [];

  const epcisFor = (id: string, n: number): Epci[] =>
    Array.from({ length: n }, (_, i) => ({
      siren: `999${id}${String(i + 1).padStart(2, '0')}`,
      name: `${i === 0 ? 'CA' : 'CC'} synthétique ${id}-${i + 1}`,
      nature: i === 0 ? 'CA' : 'CC',
      synthetic: true,
    }));
  const epciCount = () => pick([2, 3, 3, 3, 4, 4, 5]);

  // -- territories ------------------------------------------------------------------------------
  const territories: T[] = [];
  // Grand Est
  for (const g of GRAND_EST_2018) {
    const n = g.id === '4490' ? 6 : g.id === '4403' ? 4 : epciCount();
    territories.push({ id: g.id, name: g.name, region: '44', labelledOn: '2018-11-22', epcis: epcisFor(g.id, n) });
  }
  // elsewhere: region code + sequence; the later sequences are the later additions
  const later: string[] = ['5215', '5312']; // added in Oct 2020 (the 146 -> 148 snapshot)
  const round = ['84', '75', '52', '32', '53', '27', '11', '76', '24', '28', '93'];
  const highest = new Map(REGIONS.map((r) => [r.code, r.territories2020]));
  highest.set('52', 14);
  highest.set('53', 11);
  const additions: string[] = [];
  for (let i = 0; additions.length < 20; i++) {
    const r = round[i % round.length]!;
    const seq = highest.get(r)!;
    highest.set(r, seq - 1);
    additions.push(`${r}${String(seq).padStart(2, '0')}`);
  }
  // 12 by 2019-04-30, 7 by 2019-09-24, 1 by 2019-11-19
  const additionDates = [
    ...Array.from({ length: 12 }, () => dateIn('2018-12-10', '2019-04-26')),
    ...Array.from({ length: 7 }, () => dateIn('2019-05-06', '2019-09-20')),
    dateIn('2019-09-30', '2019-11-15'),
  ].sort();
  for (const r of REGIONS) {
    if (r.code === '44') continue;
    for (let seq = 1; seq <= r.territories2020; seq++) {
      const id = `${r.code}${String(seq).padStart(2, '0')}`;
      const i = additions.indexOf(id);
      const labelledOn = later.includes(id) ? '2020-10-08' : i >= 0 ? additionDates[i]! : '2018-11-22';
      territories.push({
        id,
        name: `Territoire synthétique ${r.name} n° ${seq}`,
        region: r.code,
        labelledOn,
        epcis: epcisFor(id, epciCount()),
      });
    }
  }
  for (const t of territories) {
    steps.push({
      kind: 'label',
      date: t.labelledOn,
      actor: admin(),
      territoryId: t.id,
      name: t.name,
      regionCode: t.region,
      epcis: t.epcis,
      synthetic: t.region !== '44',
    });
  }
  // Grand Est in 2019: the split, the move of the Bassin de Joinville, Sel et Vermois
  const vtl = territories.find((t) => t.id === '4490')!;
  vtl.endsOn = GRAND_EST_SPLIT_ON;
  const into = [
    { territoryId: '4411', name: 'Terres de Lorraine', epcis: vtl.epcis.slice(0, 3) },
    { territoryId: '4413', name: 'Val de Lorraine', epcis: vtl.epcis.slice(3) },
  ];
  const geAdmin = ADMINS[0]!;
  steps.push({ kind: 'split', date: GRAND_EST_SPLIT_ON, actor: geAdmin, territoryId: '4490', into });
  for (const c of into) {
    steps.push({
      kind: 'label',
      date: GRAND_EST_SPLIT_ON,
      actor: geAdmin,
      territoryId: c.territoryId,
      name: c.name,
      regionCode: '44',
      epcis: c.epcis,
      splitFrom: '4490',
      synthetic: false,
    });
    territories.push({ id: c.territoryId, name: c.name, region: '44', labelledOn: GRAND_EST_SPLIT_ON, epcis: c.epcis });
  }
  const langres = territories.find((t) => t.id === '4403')!;
  const joinville = langres.epcis[0]!;
  const movedJoinville = { ...joinville, name: 'CC synthétique du Bassin de Joinville' };
  steps.push(
    {
      kind: 'perimeter',
      date: GRAND_EST_JOINVILLE_ON,
      actor: geAdmin,
      territoryId: '4403',
      added: [],
      removed: [joinville.siren],
      reason: 'Bassin de Joinville moved to Vitry-le-François – Saint-Dizier – Bar-le-Duc',
    },
    {
      kind: 'rename',
      date: GRAND_EST_JOINVILLE_ON,
      actor: geAdmin,
      territoryId: '4403',
      name: 'Bassins de Langres - Chaumont',
    },
    {
      kind: 'perimeter',
      date: GRAND_EST_JOINVILLE_ON,
      actor: geAdmin,
      territoryId: '4414',
      added: [movedJoinville],
      removed: [],
      reason: 'Bassin de Joinville joins from Langres – Chaumont',
    },
    {
      kind: 'rename',
      date: GRAND_EST_JOINVILLE_ON,
      actor: geAdmin,
      territoryId: '4414',
      name: 'Vitry-le-François - Saint-Dizier - Bar-le-Duc - Bassin de Joinville',
    },
  );
  const sel: T = {
    id: '4409',
    name: 'Sel et Vermois',
    region: '44',
    labelledOn: GRAND_EST_SEL_ET_VERMOIS_ON,
    epcis: epcisFor('4409', 1),
  };
  territories.push(sel);
  steps.push({
    kind: 'label',
    date: sel.labelledOn,
    actor: geAdmin,
    territoryId: sel.id,
    name: sel.name,
    regionCode: '44',
    epcis: sel.epcis,
    synthetic: false,
  });

  // co-leads, one to four months after labelling (before any later change of the stream)
  for (const t of territories) {
    if (t.id === '4490') continue;
    let date = addDays(t.labelledOn, int(30, 120));
    if (t.labelledOn < GRAND_EST_JOINVILLE_ON && (t.id === '4403' || t.id === '4414'))
      date = minD(date, addDays(GRAND_EST_JOINVILLE_ON, -1));
    steps.push({ kind: 'coLeads', date: minD(date, '2020-12-31'), actor: admin(), territoryId: t.id });
  }

  // -- contracts ---------------------------------------------------------------------------------
  const contractOf = new Map<string, { id: string; draftedOn: string }>();
  const active = territories.filter((t) => t.id !== '4490');
  const ge = shuffle(active.filter((t) => t.region === '44' && t.id !== '4409')).slice(0, 11);
  const others = shuffle(active.filter((t) => t.region !== '44'));
  const protocolRegions = new Set<string>();
  const slots: { window: [string, string]; kind: 'protocol' | 'contract'; signOn?: string; validated: boolean }[] = [
    ...Array.from({ length: 13 }, () => ({
      window: ['2019-03-01', '2019-04-20'] as [string, string],
      kind: 'protocol' as const,
      validated: true,
    })),
    ...Array.from({ length: 16 }, () => ({
      window: ['2019-05-01', '2019-09-24'] as [string, string],
      kind: 'contract' as const,
      validated: true,
    })),
    ...Array.from({ length: 18 }, () => ({
      window: ['2019-09-25', '2019-11-19'] as [string, string],
      kind: 'contract' as const,
      validated: true,
    })),
    ...Array.from({ length: 42 }, () => ({
      window: ['2019-11-20', '2020-02-14'] as [string, string],
      kind: 'contract' as const,
      validated: true,
    })),
    ...Array.from({ length: 35 }, () => ({
      window: ['2020-02-15', '2020-12-10'] as [string, string],
      kind: 'contract' as const,
      validated: true,
    })),
    ...Array.from({ length: 5 }, () => ({
      window: ['2020-11-01', '2020-12-15'] as [string, string],
      kind: 'contract' as const,
      validated: false,
    })),
  ];
  const used = new Set<string>();
  const assigned: { t: T; slot: (typeof slots)[number] }[] = ge.map((t) => ({
    t,
    slot: { window: ['2019-10-01', '2019-11-19'], kind: 'contract', signOn: '2019-11-19', validated: true },
  }));
  for (const slot of slots) {
    const latest = addDays(slot.window[0], -75);
    const t = others.find(
      (x) =>
        !used.has(x.id) &&
        x.labelledOn <= latest &&
        // the 13 protocols of April 2019 were signed in 8 regions
        (slot.kind !== 'protocol' || protocolRegions.size < 8 || protocolRegions.has(x.region)),
    );
    if (!t) throw new Error(`no territory for a contract slot starting ${slot.window[0]}`);
    used.add(t.id);
    if (slot.kind === 'protocol') protocolRegions.add(t.region);
    assigned.push({ t, slot });
  }
  for (const { t, slot } of assigned) {
    const contractId = `c-${t.id}`;
    const lead = leadOf(t.id);
    const validator = validatorOf(t.region);
    const validatedOn = slot.signOn
      ? dateIn(slot.window[0], addDays(slot.signOn, -1))
      : dateIn(slot.window[0], slot.window[1]);
    const draftedOn = maxD(addDays(t.labelledOn, 14), addDays(validatedOn, -int(70, 160)));
    const changes = slot.validated && rnd() < 0.2;
    const submittedOn = addDays(validatedOn, -int(5, 12));
    const firstSubmit = addDays(validatedOn, -int(30, 40));
    const lastCommitment = addDays(changes ? firstSubmit : submittedOn, -1);
    contractOf.set(t.id, { id: contractId, draftedOn });
    steps.push({
      kind: 'draft',
      date: draftedOn,
      actor: lead,
      contractId,
      territoryId: t.id,
      contractKind: slot.kind,
      title: `${slot.kind === 'protocol' ? "Protocole d'accord" : 'Contrat de projet industriel territorial'} (synthétique) – ${t.name}`,
    });
    const parties: {
      partyKind: 'industrial' | 'epci' | 'region' | 'state' | 'operator';
      partyName: string;
      partySiren: string | null;
      axis: Axis;
    }[] = [
      { partyKind: 'industrial', partyName: `Industriel synthétique ${t.id}-A`, partySiren: null, axis: 'innovation' },
      { partyKind: 'epci', partyName: t.epcis[0]!.name, partySiren: t.epcis[0]!.siren, axis: 'attractiveness' },
      { partyKind: 'region', partyName: `Région ${regionName(t.region)}`, partySiren: null, axis: 'skills' },
      { partyKind: 'state', partyName: 'État', partySiren: null, axis: pick(AXES) },
    ];
    if (rnd() < 0.5)
      parties.push({
        partyKind: 'operator',
        partyName: pick(['Banque des Territoires', 'Bpifrance', 'Business France']),
        partySiren: null,
        axis: pick(AXES),
      });
    if (rnd() < 0.4)
      parties.push({
        partyKind: 'industrial',
        partyName: `Industriel synthétique ${t.id}-B`,
        partySiren: null,
        axis: 'skills',
      });
    parties.forEach((p, i) => {
      const date = dateIn(draftedOn, maxD(draftedOn, lastCommitment));
      steps.push({
        kind: 'commit',
        date,
        actor: lead,
        contractId,
        commitmentId: `${contractId}-k${i + 1}`,
        ...p,
        description: `Engagement synthétique n° ${i + 1} (${p.axis})`,
        amountEur: int(5, 400) * 1000,
        dueOn: addDays(draftedOn, int(365, 1460)),
      });
    });
    if (!slot.validated) {
      steps.push({ kind: 'submit', date: slot.window[1], actor: lead, contractId });
      continue;
    }
    if (changes) {
      steps.push({ kind: 'submit', date: firstSubmit, actor: lead, contractId });
      steps.push({
        kind: 'requestChanges',
        date: addDays(firstSubmit, int(3, 10)),
        actor: validator,
        contractId,
        regionCode: t.region,
        reason: 'Engagements à préciser (synthétique)',
      });
    }
    steps.push({ kind: 'submit', date: submittedOn, actor: lead, contractId });
    steps.push({ kind: 'validate', date: validatedOn, actor: validator, contractId, regionCode: t.region });
    const signOn =
      slot.signOn ??
      (slot.kind === 'protocol'
        ? minD(addDays(validatedOn, int(0, 8)), '2019-04-30')
        : minD(addDays(validatedOn, int(3, 25)), '2020-12-31'));
    steps.push({
      kind: 'sign',
      date: signOn,
      actor: lead,
      contractId,
      signatories: [
        { name: `Préfet de région ${regionName(t.region)} (synthétique)`, role: 'État' },
        { name: `Président de Région ${regionName(t.region)} (synthétique)`, role: 'Région' },
        { name: `Co-pilotes du territoire ${t.id} (synthétique)`, role: 'Territoire' },
      ],
    });
  }

  // -- projects ----------------------------------------------------------------------------------
  const buckets: { from: string; to: string; n: number }[] = [
    { from: '2018-12-01', to: '2019-04-30', n: 330 },
    { from: '2019-05-01', to: '2019-09-24', n: 144 },
    { from: '2019-09-25', to: '2019-11-19', n: 776 },
    { from: '2019-11-20', to: '2020-02-14', n: 80 },
    { from: '2020-02-15', to: '2020-12-31', n: 290 },
  ];
  let seq = 0;
  const abandonable: { id: string; date: string }[] = [];
  for (const b of buckets) {
    for (let i = 0; i < b.n; i++) {
      const date = dateIn(b.from, b.to);
      const open = territories.filter((t) => t.labelledOn < date && (!t.endsOn || t.endsOn > date));
      const t = pick(open);
      const r = rnd();
      let acc = 0;
      const axis = AXES[AXIS_WEIGHTS.findIndex((w) => r < (acc += w))] ?? 'innovation';
      const projectId = `p-${String(++seq).padStart(5, '0')}`;
      const contract = contractOf.get(t.id);
      const budgetEur = int(20, 3000) * 1000;
      steps.push({
        kind: 'register',
        date,
        actor: leadOf(t.id),
        projectId,
        territoryId: t.id,
        contractId: contract && contract.draftedOn < date ? contract.id : null,
        title: `Projet synthétique n° ${seq} (${axis}, territoire ${t.id})`,
        axis,
        budgetEur,
      });
      if (b.from === '2020-02-15' && date <= '2020-06-30' && abandonable.length < 20 && rnd() < 0.2) {
        abandonable.push({ id: projectId, date });
        continue;
      }
      if (rnd() < 0.55) {
        const grantedOn = minD(addDays(date, int(5, 60)), '2020-12-31');
        const source: FundingSource = grantedOn >= '2020-09-03' && rnd() < 0.5 ? 'france-relance' : pick(SOURCES[axis]);
        steps.push({
          kind: 'fund',
          date: grantedOn,
          actor: admin(),
          projectId,
          fundingId: `${projectId}-f1`,
          source,
          amountEur: Math.round((budgetEur * int(20, 60)) / 100),
        });
        if (rnd() < 0.6)
          steps.push({
            kind: 'start',
            date: minD(addDays(grantedOn, int(10, 90)), '2020-12-31'),
            actor: leadOf(t.id),
            projectId,
          });
      }
    }
  }
  if (abandonable.length < 20) throw new Error('the plan found fewer than 20 projects to abandon');
  for (const a of abandonable)
    steps.push({
      kind: 'abandon',
      date: dateIn('2020-07-01', '2020-11-30'),
      actor: ADMINS[1]!,
      projectId: a.id,
      reason: 'Porteur de projet défaillant (synthétique)',
    });

  // business-date order; within a day the plan's order (a stream's steps keep their sequence)
  const ordered = steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => (a.s.date < b.s.date ? -1 : a.s.date > b.s.date ? 1 : a.i - b.i));
  return {
    steps: ordered.map((x) => x.s),
    milestones: [
      { asOf: '2018-11-22', territories: 124, contractsValidated: 0, projects: 0 },
      { asOf: '2019-04-30', territories: 136, projects: 330 },
      { asOf: '2019-09-24', territories: 144, projects: 474 },
      { asOf: '2019-11-19', territories: 146, contractsValidated: 58, projects: 1250 },
      { asOf: '2020-02-14', territories: 146, contractsValidated: 100, projects: { min: 1200 } },
      { asOf: '2020-12-31', territories: 148, projects: 1600 },
    ],
  };
}
