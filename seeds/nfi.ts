import { createHash } from 'node:crypto';
import { handleCommand, loadAggregate, type Dependencies } from '../src/application/commandHandler.ts';
import { regionName } from '../src/domain/kernel/regions.ts';
import {
  NFI_PROGRAMME,
  USINE_DU_FUTUR,
  planFacts,
  plansDecider,
  prioritiesDecider,
  type Plans,
  type PlansCommand,
  type PrioritiesCommand,
} from '../src/domain/nouvelle-france-industrielle/index.ts';
import { builtInProgramme } from '../src/domain/programmes/index.ts';
import { plansStream, prioritiesStream } from '../src/eventstore/streams.ts';
import type { Actor } from '../src/eventstore/types.ts';
import { mapLimit } from '../src/importer/concurrency.ts';
import { ADMINS, addDays, prng } from './history.ts';

/**
 * La Nouvelle France industrielle in the demo history (`nouvelle-france-industrielle-2013`).
 *
 * Sourced (../shared/docs/programmes.md): the 34 plans of 2013-09-12 and their names, the later
 * names of three of them, the 44 national project heads for 34 plans (so ten plans have two),
 * the steering committees that bring the validated roadmaps to 5, 9, 16, 21, 27 and 34 on
 * 2014-03-14, 05-07, 06-04, 06-18, 07-02 and 07-09, the 22 Regions mandated on 2013-11-26 with
 * their roadmap due 2014-03-31, and the regrouping of 2015-05-18 into Industrie du futur and the 9
 * solutions (the sourced mapping). Synthetic (marked so): the heads' names, which plan's roadmap
 * each committee validated, the dates of the renames (recorded with the regrouping), every
 * Region's choices and SME leaders, the roadmaps' dates and the State's answers, the Usine du
 * futur firms, and the grouping of the plans no source places (`unsourcedPlacements`).
 */
export const NFI_LAUNCHED_ON = '2013-09-12';
export const NFI_LEADS_ON = '2013-10-07';
export const NFI_MANDATED_ON = '2013-11-26';
export const NFI_ROADMAP_DUE_ON = '2014-03-31';
export const NFI_REGROUPED_ON = '2015-05-18';
/** The committees and how many roadmaps were validated after each (sourced). */
export const NFI_VALIDATIONS: readonly { on: string; total: number }[] = [
  { on: '2014-03-14', total: 5 },
  { on: '2014-05-07', total: 9 },
  { on: '2014-06-04', total: 16 },
  { on: '2014-06-18', total: 21 },
  { on: '2014-07-02', total: 27 },
  { on: '2014-07-09', total: 34 },
];
/** The 22 metropolitan Regions of 2013 (INSEE codes). */
export const NFI_REGIONS = [
  '11', '21', '22', '23', '24', '25', '26', '31', '41', '42', '43',
  '52', '53', '54', '72', '73', '74', '82', '83', '91', '93', '94',
] as const; // prettier-ignore
/** Regions whose roadmap came after its due date (synthetic), with the day it came. */
export const NFI_LATE: Readonly<Record<string, string>> = {
  '94': '2014-04-07',
  '23': '2014-04-14',
  '74': '2014-05-05',
};
/** The Region whose roadmap the State sends back once (synthetic). */
export const NFI_SENT_BACK = '31';
export const NFI_FIRMS_PER_REGION = 15;

/** [id, name of 2013, later name, grouping of 2015, whether the grouping is sourced] */
const PLANS: readonly [string, string, string | null, string, boolean][] = [
  ['voiture-2l', 'La voiture pour tous consommant moins de 2 l/100 km', null, 'mobilite-ecologique', true],
  ['bornes-recharge', 'Bornes électriques de recharge', null, 'mobilite-ecologique', true],
  ['batteries', 'Autonomie et puissance des batteries', null, 'mobilite-ecologique', true],
  ['avion-electrique', "Avion électrique et nouvelle génération d'aéronefs", null, 'transports-de-demain', false],
  ['satellites', 'Satellites à propulsion électrique', null, 'confiance-numerique', true],
  [USINE_DU_FUTUR, 'Usine du futur', null, 'industrie-du-futur', true],
  ['reseaux-electriques', 'Réseaux électriques intelligents', null, 'ville-durable', true],
  ['logiciels-embarques', 'Logiciels et systèmes embarqués', null, 'confiance-numerique', true],
  ['supercalculateurs', 'Supercalculateurs', null, 'economie-des-donnees', false],
  ['textiles', 'Textiles techniques et intelligents', null, 'objets-intelligents', false],
  ['eau', "Qualité de l'eau et gestion de la rareté", null, 'ville-durable', true],
  [
    'alimentation',
    'Produits innovants pour une alimentation sûre, saine et durable',
    null,
    'alimentation-intelligente',
    false,
  ],
  ['cloud', 'Cloud computing', null, 'economie-des-donnees', false],
  ['telecoms', 'Souveraineté télécoms', null, 'confiance-numerique', true],
  ['realite-augmentee', 'Réalité augmentée', null, 'objets-intelligents', false],
  ['cybersecurite', 'Cybersécurité', null, 'confiance-numerique', true],
  ['bois', 'Industries du bois', null, 'ville-durable', true],
  ['renovation-thermique', 'Rénovation thermique des bâtiments', null, 'ville-durable', true],
  ['hopital-numerique', 'Hôpital numérique', 'Santé numérique', 'medecine-du-futur', false],
  ['dispositifs-medicaux', 'Dispositifs médicaux et nouveaux équipements de santé', null, 'medecine-du-futur', false],
  ['objets-connectes', 'Objets connectés', null, 'objets-intelligents', false],
  ['e-education', 'E-éducation', null, 'economie-des-donnees', false],
  ['big-data', 'Big data', null, 'economie-des-donnees', false],
  ['robotique', 'Robotique', null, 'industrie-du-futur', false],
  ['tgv-du-futur', 'TGV du futur', null, 'transports-de-demain', true],
  ['vehicules-autonomes', 'Véhicules à pilotage automatique', 'Véhicule autonome', 'mobilite-ecologique', true],
  ['chimie-verte', 'Chimie verte et biocarburants', null, 'nouvelles-ressources', true],
  ['dirigeables', 'Dirigeables-charges lourdes', 'Drones et dirigeables civils', 'transports-de-demain', false],
  ['energies-renouvelables', 'Énergies renouvelables', null, 'nouvelles-ressources', false],
  ['recyclage', 'Recyclage et matériaux verts', null, 'nouvelles-ressources', true],
  ['biotechnologies', 'Biotechnologies médicales', null, 'medecine-du-futur', false],
  ['nanoelectronique', 'Nanoélectronique', null, 'confiance-numerique', true],
  ['navires', 'Navires écologiques', null, 'transports-de-demain', true],
  ['sans-contact', 'Services sans contact', null, 'objets-intelligents', false],
];
const GROUPINGS: readonly [string, string][] = [
  ['industrie-du-futur', 'Industrie du futur'],
  ['nouvelles-ressources', 'Nouvelles ressources'],
  ['ville-durable', 'Ville durable'],
  ['mobilite-ecologique', 'Mobilité écologique'],
  ['transports-de-demain', 'Transports de demain'],
  ['confiance-numerique', 'Confiance numérique'],
  ['medecine-du-futur', 'Médecine du futur'],
  ['economie-des-donnees', 'Économie des données'],
  ['objets-intelligents', 'Objets intelligents'],
  ['alimentation-intelligente', 'Alimentation intelligente'],
];
export const NFI_PLAN_IDS = PLANS.map((p) => p[0]);

const officerOf = (code: string): Actor => ({
  sub: `demo-officer-${code}`,
  name: `Chargé de mission industrie, Région ${regionName(code) ?? code} (synthétique)`,
  roles: ['regional_officer'],
});
const ADMIN = ADMINS[1]!;

export type NfiStep =
  | {
      stream: string;
      date: string;
      actor: Actor;
      kind: 'plans';
      command: PlansCommand['type'];
      data: Record<string, unknown>;
    }
  | {
      stream: string;
      date: string;
      actor: Actor;
      kind: 'priorities';
      command: PrioritiesCommand['type'];
      data: Record<string, unknown>;
    };

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Every step of the NFI demo, in the order each stream runs them. Deterministic. */
export function buildNfiSteps(): NfiStep[] {
  const rnd = prng(20130912);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const out: NfiStep[] = [];
  const plans = (date: string, command: PlansCommand['type'], data: Record<string, unknown>) =>
    out.push({ stream: plansStream(), date, actor: ADMIN, kind: 'plans', command, data });
  for (const [id, name] of PLANS)
    plans(NFI_LAUNCHED_ON, 'LaunchPlan', { planId: id, name, launchedOn: NFI_LAUNCHED_ON });
  // 44 heads for 34 plans: ten plans have two; 28 of the 44 come from companies
  let head = 0;
  PLANS.forEach(([id], i) => {
    const n = i % 3 === 0 && i < 30 ? 2 : 1;
    const leads = Array.from({ length: n }, () => {
      head++;
      return {
        name: `Chef de projet national ${head} (synthétique)`,
        organisation: head <= 28 ? `Entreprise ${head} (synthétique)` : `Organisme public ${head} (synthétique)`,
        synthetic: true,
      };
    });
    plans(NFI_LEADS_ON, 'AppointPlanLeads', { planId: id, leads, appointedOn: NFI_LEADS_ON });
  });
  // which plan each committee validated: a fixed shuffle (synthetic), the counts sourced
  const order = [...NFI_PLAN_IDS].sort((a, b) =>
    createHash('sha1').update(a).digest('hex').localeCompare(createHash('sha1').update(b).digest('hex')),
  );
  let done = 0;
  for (const v of NFI_VALIDATIONS)
    for (; done < v.total; done++) plans(v.on, 'ValidatePlanRoadmap', { planId: order[done], committeeOn: v.on });
  for (const [id, , later] of PLANS)
    if (later) plans(NFI_REGROUPED_ON, 'RenamePlan', { planId: id, name: later, renamedOn: NFI_REGROUPED_ON });
  plans(NFI_REGROUPED_ON, 'RegroupPlans', {
    regroupedOn: NFI_REGROUPED_ON,
    groupings: GROUPINGS.map(([solutionId, name]) => ({
      solutionId,
      name,
      plans: PLANS.filter((p) => p[3] === solutionId).map((p) => p[0]),
    })),
    unsourcedPlacements: PLANS.filter((p) => !p[4]).map((p) => p[0]),
  });

  const choosable = NFI_PLAN_IDS.filter((id) => id !== USINE_DU_FUTUR);
  for (const code of NFI_REGIONS) {
    const stream = prioritiesStream(code);
    const officer = officerOf(code);
    const step = (actor: Actor, date: string, command: PrioritiesCommand['type'], data: Record<string, unknown>) =>
      out.push({ stream, date, actor, kind: 'priorities', command, data: { regionCode: code, ...data } });
    step(ADMIN, NFI_MANDATED_ON, 'MandateRegion', { mandatedOn: NFI_MANDATED_ON, roadmapDueOn: NFI_ROADMAP_DUE_ON });
    const pool = [...choosable];
    const picks: string[] = [];
    while (picks.length < 11) picks.push(pool.splice(int(0, pool.length - 1), 1)[0]!);
    let last = NFI_MANDATED_ON;
    const lead = (planId: string, k: number, on: string) =>
      step(officer, on, 'AppointRegionalPlanLead', {
        planId,
        person: `Dirigeant·e de PME ${code}-${k} (synthétique)`,
        company: `PME ${code}-${k} SAS (synthétique)`,
        siren: `97${code}${pad(k, 5)}`,
        appointedOn: on,
        synthetic: true,
      });
    picks.slice(0, 10).forEach((planId, i) => {
      const chosenOn = addDays('2013-12-02', int(0, 80));
      step(officer, chosenOn, 'ChoosePlan', { planId, rank: i < 5 ? 1 : 2, chosenOn, synthetic: true });
      const on = addDays(chosenOn, int(1, 10));
      lead(planId, i + 1, on);
      if (on > last) last = on;
    });
    const submittedOn = NFI_LATE[code] ?? addDays(last > '2014-03-03' ? last : '2014-03-03', int(0, 27));
    const submitted = submittedOn > NFI_ROADMAP_DUE_ON && !NFI_LATE[code] ? NFI_ROADMAP_DUE_ON : submittedOn;
    const sub = submitted < last ? last : submitted;
    step(officer, sub, 'SubmitRoadmap', { submittedOn: sub });
    if (code === NFI_SENT_BACK) {
      const back = addDays(sub, 22);
      step(ADMIN, back, 'SendBackRoadmap', { sentBackOn: back, reason: 'Feuille de route à préciser (synthétique)' });
      const w = addDays(back, 5);
      step(officer, w, 'WithdrawPlanChoice', { planId: picks[9], withdrawnOn: w });
      step(officer, w, 'ChoosePlan', { planId: picks[10], rank: 2, chosenOn: w, synthetic: true });
      lead(picks[10]!, 11, w);
      const again = addDays(w, 10);
      step(officer, again, 'SubmitRoadmap', { submittedOn: again });
      step(ADMIN, addDays(again, 20), 'AcceptRoadmap', { acceptedOn: addDays(again, 20) });
    } else {
      const acc = addDays(sub > '2014-04-01' ? sub : '2014-04-01', int(10, 70));
      step(ADMIN, acc, 'AcceptRoadmap', { acceptedOn: acc });
    }
    for (let k = 1; k <= NFI_FIRMS_PER_REGION; k++) {
      const selectedOn = addDays('2014-01-15', int(0, 700));
      step(officer, selectedOn, 'SelectCompanyForUsineDuFutur', {
        siren: `98${code}${pad(k, 5)}`,
        name: `Entreprise Usine du futur ${code}-${k} (synthétique)`,
        size: k % 5 === 0 ? 'ETI' : 'SME',
        selectedOn,
        synthetic: true,
      });
    }
  }
  return out;
}

export function nfiCommandId(index: number): string {
  const h = createHash('sha256').update(`ti-ledger demo history NFI step ${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const facts = builtInProgramme(NFI_PROGRAMME)!;

async function runStep(
  deps: Dependencies,
  s: NfiStep,
  today: string,
  commandId: string,
  correlationId: string,
  plans: () => Promise<Plans>,
) {
  const ctx = { actor: s.actor, correlationId, commandId, retries: 5 };
  const metadata = {
    actor: s.actor,
    today,
    programme: { id: facts.programmeId, launchedOn: facts.launchedOn, endsOn: facts.endsOn },
  };
  if (s.kind === 'plans')
    return handleCommand(
      deps,
      s.stream,
      plansDecider,
      { type: s.command, data: s.data, metadata } as PlansCommand,
      ctx,
    );
  let data = s.data;
  if (s.command === 'ChoosePlan') {
    data = { ...data, plan: planFacts(await plans(), String(data.planId)) };
  }
  return handleCommand(
    deps,
    s.stream,
    prioritiesDecider,
    { type: s.command, data, metadata } as PrioritiesCommand,
    ctx,
  );
}

/** The NFI steps, each with its command id (the same at every load). */
export const nfiDemoSteps = () => buildNfiSteps().map((step, i) => ({ step, commandId: nfiCommandId(i) }));

/**
 * Loads the NFI demo through the real command handlers: the plans' stream first (a Region's
 * choice reads it), then the Regions side by side. `done(stream)`: the command ids a stream
 * holds already (a load cut short, resumed).
 */
export async function loadNfiDemo(
  deps: Dependencies,
  opts: {
    today: string;
    until?: string | undefined;
    concurrency?: number;
    correlationId: string;
    done?: (stream: string) => Promise<Set<string>>;
  },
): Promise<{ commands: number; events: number; skipped: number; lastPosition: bigint | undefined }> {
  const steps = nfiDemoSteps().filter((x) => !opts.until || x.step.date <= opts.until);
  let events = 0;
  let skipped = 0;
  let lastPosition: bigint | undefined;
  const byStream = new Map<string, typeof steps>();
  for (const x of steps) byStream.set(x.step.stream, [...(byStream.get(x.step.stream) ?? []), x]);
  // the plans' stream is complete before any Region's step runs: its state is read once for all
  // the choices (as the shell reads it for each one)
  let catalogue: Promise<Plans> | undefined;
  const plans = () => (catalogue ??= loadAggregate(deps, plansStream(), plansDecider).then((x) => x.state));
  const runStream = async ([stream, list]: [string, typeof steps]) => {
    const done = opts.done ? await opts.done(stream) : new Set<string>();
    for (const { step, commandId } of list) {
      if (done.has(commandId)) {
        skipped++;
        continue;
      }
      try {
        const r = await runStep(deps, step, opts.today, commandId, opts.correlationId, plans);
        events += r.events.length;
        if (r.position !== undefined && (lastPosition === undefined || r.position > lastPosition))
          lastPosition = r.position;
      } catch (err) {
        throw new Error(
          `demo history: ${step.command} on ${stream} dated ${step.date} failed: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    }
  };
  const national = plansStream();
  if (byStream.has(national)) await runStream([national, byStream.get(national)!]);
  byStream.delete(national);
  await mapLimit([...byStream.entries()], opts.concurrency ?? 16, runStream);
  return { commands: steps.length - skipped, events, skipped, lastPosition };
}
