import type { Epci } from '../src/domain/territoires-industrie/territory/territory.ts';
import { callOf } from '../src/domain/territoires-industrie/application/call.ts';
import { ADMINS, REGIONS, addDays, prng, type Step } from './history.ts';

/**
 * Territoires d'industrie phase 2 in the demo history (`territoires-industrie-2023`): 183
 * territories labelled on 2023-11-09 (the published count), each with its elected
 * official–industrial pair. Which territories, their names and EPCIs are not published in a form
 * the demo can ship: everything is synthetic except the count, the date and territory 8413, which
 * in phase 2 is Plastics Vallée – Oyonnax (a number of phase 1 reused for another territory).
 *
 * Most phase-1 territories are renewed (same number and name, `succeeds` the phase-1 one, its
 * EPCIs); a few phase-1 numbers are reused for another territory (another name and EPCIs, no
 * `succeeds`), as 8413 is; the rest are new territories with new numbers. Own seed, so the
 * phase-1 plan is unchanged.
 */
export const PHASE2 = 'territoires-industrie-2023';
export const PHASE2_LABELLED_ON = '2023-11-09';
export const PHASE2_TERRITORIES = 183;
/** Phase-1 numbers reused in phase 2 for another territory (8413: the published case). */
export const REUSED_NUMBERS = ['8413', '7505', '3207', '5303', '2702'];
/** Candidates of the demo's call that were not selected (synthetic). */
export const PHASE2_NOT_SELECTED = 12;

export function buildPhase2Steps(phase1: readonly Step[]): Step[] {
  const rnd = prng(20231109);
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  // phase 1 at its end: labelled and never split
  const split = new Set(phase1.filter((s) => s.kind === 'split').map((s) => s.territoryId));
  const p1 = new Map<string, { name: string; regionCode: string; epcis: Epci[] }>();
  for (const s of phase1) if (s.kind === 'label' && !split.has(s.territoryId)) p1.set(s.territoryId, s);

  type T = { id: string; name: string; regionCode: string; epcis: Epci[]; succeeds?: string };
  const out: T[] = [];
  const epcisFor = (id: string, n: number): Epci[] =>
    Array.from({ length: n }, (_, i) => ({
      siren: `998${id}${String(i + 1).padStart(2, '0')}`,
      name: `${i === 0 ? 'CA' : 'CC'} synthétique ${id}-${i + 1} (2023)`,
      nature: i === 0 ? 'CA' : 'CC',
      synthetic: true,
    }));
  // renewals: every phase-1 territory but the reused numbers and one in eight
  for (const [id, t] of [...p1.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (REUSED_NUMBERS.includes(id)) {
      const name = id === '8413' ? 'Plastics Vallée – Oyonnax' : `Territoire synthétique ${id} (2023, autre périmètre)`;
      out.push({ id, name, regionCode: t.regionCode, epcis: epcisFor(id, int(2, 4)) });
      continue;
    }
    if (rnd() < 0.125) continue; // not renewed
    out.push({ id, name: t.name, regionCode: t.regionCode, epcis: t.epcis, succeeds: id });
  }
  // new territories, new numbers after each Region's highest, round the Regions until 183
  const highest = new Map<string, number>();
  for (const id of p1.keys())
    highest.set(id.slice(0, 2), Math.max(highest.get(id.slice(0, 2)) ?? 0, Number(id.slice(2))));
  const regions = REGIONS.map((r) => r.code).filter((c) => highest.has(c));
  for (let i = 0; out.length < PHASE2_TERRITORIES; i++) {
    const r = regions[i % regions.length]!;
    const seq = (highest.get(r) ?? 0) + 1;
    highest.set(r, seq);
    const id = `${r}${String(seq).padStart(2, '0')}`;
    out.push({ id, name: `Territoire synthétique ${id} (2023)`, regionCode: r, epcis: epcisFor(id, int(2, 5)) });
  }

  // the call: every territory labelled applied within the window and was selected; some other
  // candidates were not selected (synthetic ids 9x of their Region, never labelled)
  const call = callOf(PHASE2)!;
  const window = daysBetween(call.opensOn, call.closesOn);
  const applyStep = (t: T): Step => ({
    kind: 'apply',
    programme: PHASE2,
    date: addDays(call.opensOn, int(0, window)),
    actor: pick(ADMINS),
    territoryId: t.id,
    name: t.name,
    regionCode: t.regionCode,
    epcis: t.epcis,
    ...(t.succeeds ? { succeeds: t.succeeds } : {}),
  });
  const steps: Step[] = [];
  const declined: T[] = regions.slice(0, PHASE2_NOT_SELECTED).map((r) => {
    const id = `${r}91`;
    return {
      id,
      name: `Candidature synthétique ${id} (2023, non retenue)`,
      regionCode: r,
      epcis: epcisFor(id, int(1, 3)),
    };
  });
  for (const t of declined) {
    steps.push(applyStep(t));
    steps.push({ kind: 'decline', programme: PHASE2, date: call.announcedOn, actor: pick(ADMINS), territoryId: t.id });
  }
  for (const t of out.slice(0, PHASE2_TERRITORIES)) {
    steps.push(applyStep(t));
    steps.push({ kind: 'select', programme: PHASE2, date: call.announcedOn, actor: pick(ADMINS), territoryId: t.id });
    steps.push({
      kind: 'labelFromApplication',
      programme: PHASE2,
      date: PHASE2_LABELLED_ON,
      actor: pick(ADMINS),
      territoryId: t.id,
    });
    steps.push({
      kind: 'coLeads',
      programme: PHASE2,
      date: addDays(PHASE2_LABELLED_ON, int(0, 90)),
      actor: pick(ADMINS),
      territoryId: t.id,
    });
    steps.push({
      kind: 'projectLead',
      programme: PHASE2,
      date: addDays(PHASE2_LABELLED_ON, int(91, 240)),
      actor: pick(ADMINS),
      territoryId: t.id,
    });
  }
  return steps;
}

const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
