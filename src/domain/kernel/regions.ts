/**
 * France's Regions across time: the reference every programme shares (pure data, no I/O).
 *
 * INSEE's Code officiel géographique (COG) gives each Region a 2-digit code. On 2016-01-01 the 22
 * metropolitan Regions became 13 (loi n° 2015-29 du 16 janvier 2015): seven new Regions merged
 * two or three old ones, six kept their code. The five overseas Regions did not change (Mayotte is
 * a Region from 2011-03-31). The merged Regions carried provisional names (the joined old names)
 * until the decrees of 28 September 2016 named them, in force on 2016-09-30; Centre became
 * Centre-Val de Loire on 2015-01-17 (same law).
 *
 * The rows below are INSEE's COG region files (`reg2015` and `reg2016`, columns REG, CHEFLIEU,
 * TNCC, NCC, NCCENR) and its 2015 → 2016 table of passage, transcribed; the test checks the 2016
 * geography against the COG file in `../shared/data` when it is there.
 *
 * Periods are half-open, like the read models' versions: in force from `from` (inclusive) to
 * `to` (exclusive); `null` means "before anything this ledger records" or "still in force".
 */

/** A Region of INSEE's COG, with the period its code is in force and its names over time. */
export interface Region {
  /** INSEE code (REG). */
  readonly code: string;
  /** INSEE code of the commune that is the Region's chef-lieu (CHEFLIEU). */
  readonly chefLieu: string;
  /** First day the code is in force (null: before every programme of the ledger). */
  readonly from: string | null;
  /** First day it is no longer in force (null: in force today). */
  readonly to: string | null;
  /** The Region it became on `to` (a merger or a continuation), null while in force. */
  readonly successor: string | null;
  /** Names in force from each date (NCCENR), oldest first. */
  readonly names: readonly { readonly from: string | null; readonly name: string }[];
  /** Metropolitan or overseas. */
  readonly kind: 'metropolitan' | 'overseas';
}

/** The day the 13 metropolitan Regions replaced the 22. */
export const REGIONS_MERGER_DATE = '2016-01-01';
/** The day the decrees' names of the merged Regions came into force. */
export const REGION_NAMES_DATE = '2016-09-30';

const M = REGIONS_MERGER_DATE;
const N = REGION_NAMES_DATE;

const old = (code: string, chefLieu: string, name: string, successor: string): Region => ({
  code,
  chefLieu,
  from: null,
  to: M,
  successor,
  names: [{ from: null, name }],
  kind: 'metropolitan',
});

const merged = (code: string, chefLieu: string, provisional: string, name: string): Region => ({
  code,
  chefLieu,
  from: M,
  to: null,
  successor: null,
  names:
    provisional === name
      ? [{ from: M, name }]
      : [
          { from: M, name: provisional },
          { from: N, name },
        ],
  kind: 'metropolitan',
});

const kept = (
  code: string,
  chefLieu: string,
  names: Region['names'],
  kind: Region['kind'] = 'metropolitan',
  from: string | null = null,
): Region => ({ code, chefLieu, from, to: null, successor: null, names, kind });

/** Every Region the ledger knows, in code order. */
export const REGIONS: readonly Region[] = Object.freeze(
  [
    kept('01', '97105', [{ from: null, name: 'Guadeloupe' }], 'overseas'),
    kept('02', '97209', [{ from: null, name: 'Martinique' }], 'overseas'),
    kept('03', '97302', [{ from: null, name: 'Guyane' }], 'overseas'),
    kept('04', '97411', [{ from: null, name: 'La Réunion' }], 'overseas'),
    kept('06', '97611', [{ from: '2011-03-31', name: 'Mayotte' }], 'overseas', '2011-03-31'),
    kept('11', '75056', [{ from: null, name: 'Île-de-France' }]),
    old('21', '51108', 'Champagne-Ardenne', '44'),
    old('22', '80021', 'Picardie', '32'),
    old('23', '76540', 'Haute-Normandie', '28'),
    kept('24', '45234', [
      { from: null, name: 'Centre' },
      { from: '2015-01-17', name: 'Centre-Val de Loire' },
    ]),
    old('25', '14118', 'Basse-Normandie', '28'),
    old('26', '21231', 'Bourgogne', '27'),
    merged('27', '21231', 'Bourgogne-Franche-Comté', 'Bourgogne-Franche-Comté'),
    merged('28', '76540', 'Normandie', 'Normandie'),
    old('31', '59350', 'Nord-Pas-de-Calais', '32'),
    merged('32', '59350', 'Nord-Pas-de-Calais-Picardie', 'Hauts-de-France'),
    old('41', '57463', 'Lorraine', '44'),
    old('42', '67482', 'Alsace', '44'),
    old('43', '25056', 'Franche-Comté', '27'),
    merged('44', '67482', 'Alsace-Champagne-Ardenne-Lorraine', 'Grand Est'),
    kept('52', '44109', [{ from: null, name: 'Pays de la Loire' }]),
    kept('53', '35238', [{ from: null, name: 'Bretagne' }]),
    old('54', '86194', 'Poitou-Charentes', '75'),
    old('72', '33063', 'Aquitaine', '75'),
    old('73', '31555', 'Midi-Pyrénées', '76'),
    old('74', '87085', 'Limousin', '75'),
    merged('75', '33063', 'Aquitaine-Limousin-Poitou-Charentes', 'Nouvelle-Aquitaine'),
    merged('76', '31555', 'Languedoc-Roussillon-Midi-Pyrénées', 'Occitanie'),
    old('82', '69123', 'Rhône-Alpes', '84'),
    old('83', '63113', 'Auvergne', '84'),
    merged('84', '69123', 'Auvergne-Rhône-Alpes', 'Auvergne-Rhône-Alpes'),
    old('91', '34172', 'Languedoc-Roussillon', '76'),
    kept('93', '13055', [{ from: null, name: "Provence-Alpes-Côte d'Azur" }]),
    kept('94', '2A004', [{ from: null, name: 'Corse' }]),
  ].map((r) => Object.freeze(r)),
);

const byCode = new Map(REGIONS.map((r) => [r.code, r]));
const successorsOf = new Map<string, string[]>();
for (const r of REGIONS)
  if (r.successor) successorsOf.set(r.successor, [...(successorsOf.get(r.successor) ?? []), r.code]);

const inForce = (r: Region, date: string) => (r.from === null || r.from <= date) && (r.to === null || date < r.to);

/** The Region with this code, whatever its period (undefined for an unknown code). */
export function region(code: string): Region | undefined {
  return byCode.get(code);
}

/** Whether the code names a Region the ledger knows (of any period). */
export function isKnownRegion(code: string): boolean {
  return byCode.has(code);
}

/** The Region with this code if the code is in force on `date` (YYYY-MM-DD). */
export function regionInForce(code: string, date: string): Region | undefined {
  const r = byCode.get(code);
  return r && inForce(r, date) ? r : undefined;
}

/** The Regions in force on `date`: 27 before 2016-01-01 (26 before Mayotte), 18 since. */
export function regionsInForce(date: string): Region[] {
  return REGIONS.filter((r) => inForce(r, date));
}

/** The Region's name on `date` (its last name when the date is after its end; today's without a date). */
export function regionName(code: string, date?: string): string | undefined {
  const r = byCode.get(code);
  if (!r) return undefined;
  const on = date ?? '9999-12-31';
  let name = r.names[0]!.name;
  for (const n of r.names) if (n.from === null || n.from <= on) name = n.name;
  return name;
}

/** The Region in force today that this code became (41 → 44; 44 → 44). */
export function currentRegionOf(code: string): string {
  let r = byCode.get(code);
  while (r?.successor) r = byCode.get(r.successor);
  return r?.code ?? code;
}

/** The Regions this one replaced on its first day (44 → 21, 41, 42; 11 → none). */
export function predecessorsOf(code: string): string[] {
  return [...(successorsOf.get(code) ?? [])].sort();
}

/** This Region and every Region that became it, transitively (44 → 21, 41, 42, 44). */
export function lineageOf(code: string): string[] {
  const out = new Set<string>([code]);
  const walk = (c: string) => {
    for (const p of successorsOf.get(c) ?? []) {
      if (out.has(p)) continue;
      out.add(p);
      walk(p);
    }
  };
  walk(code);
  return [...out].sort();
}

/** How a report groups records by Region: the geography in force on the report's date, or today's. */
export type Geography = 'asof' | 'current';

/** The code a record of Region `code` is reported under in `geography`. */
export function reportedRegion(code: string, geography: Geography): string {
  return geography === 'current' ? currentRegionOf(code) : code;
}

/**
 * Whether a token holding `tokenRegions` may act on a record of Region `recordRegion`: its own
 * Region's records and its predecessors' (Grand Est staff may record what Lorraine decided in
 * 2014), never another Region's, nor a successor's (a Lorraine token, if one existed, does not act
 * for all of Grand Est).
 */
export function mayActFor(tokenRegions: readonly string[], recordRegion: string): boolean {
  return tokenRegions.some((t) => t === recordRegion || lineageOf(t).includes(recordRegion));
}
