import type { Epci } from '../domain/territoires-industrie/territory/territory.ts';
import { parseCsv, type CsvTable } from './csv.ts';

/**
 * Pure parsing of the official territory lists into territories (id, name, region, EPCIs).
 *
 * Formats, told apart by their header:
 * - ANCT commune file `insee_com, lib_com, id_ti, lib_ti` (ids like `ti-8418`), with the ANCT
 *   groupement file `id_ti, lib_ti, siren_groupement, lib_groupement, nature_juridique`;
 * - signaux-faibles commune file `code_commune, code_terrind, libelle_terrind` (codes like `8408`
 *   or `TI8408`), with INSEE's commune -> EPCI table (`DEPCOM, ..., EPCI, NOM_EPCI, ..., REG`).
 *
 * Territory ids, one scheme per phase (numbers are reused between phases):
 * - phase 1 (`territoires-industrie-2018`): the 4-digit code, `TI8408`, `ti-8408` and `8408` all
 *   give `8408` (the id the API and the demo history use);
 * - phase 2 (`territoires-industrie-2023`): the 4-digit code too (`ti-8413` gives `8413`): ids
 *   are unique within a programme, and phase 2's 8413 lives in its own stream
 *   `territory-8413@territoires-industrie-2023` (docs/adr/0007). The previous release named
 *   phase 2's territories `2023-8413`; those it recorded keep their ids.
 */

export interface Programme {
  id: string;
  /** No business date of the phase may come before this. */
  notBefore: string;
  territoryId(code: string): string;
}

export const PROGRAMMES: Record<string, Programme> = {
  'territoires-industrie-2018': {
    id: 'territoires-industrie-2018',
    notBefore: '2018-11-22',
    territoryId: (code) => code,
  },
  'territoires-industrie-2023': {
    id: 'territoires-industrie-2023',
    notBefore: '2023-11-09',
    territoryId: (code) => code,
  },
};

export interface ImportedTerritory {
  id: string;
  /** The 4-digit code as published (region code + sequence). */
  code: string;
  name: string;
  regionCode: string;
  epcis: Epci[];
  communes: number;
  /** Line of the communes file where the territory first appears. */
  line: number;
}

export interface Problem {
  file: string;
  /** 1-based line; 0 when the problem is about the file as a whole. */
  line: number;
  message: string;
}

export interface ParsedLists {
  format: 'anct' | 'signaux-faibles';
  territories: ImportedTerritory[];
  /** Malformed or inconsistent rows: with any of them nothing is imported unless skipInvalid. */
  problems: Problem[];
  /** Not errors, but worth reading (a commune without EPCI, a region that disagrees with the code). */
  warnings: Problem[];
}

export interface SourceFile {
  name: string;
  text: string;
}

/** Thrown for what no --skip-invalid can fix: a missing file, an unknown header. */
export class ImportInputError extends Error {
  override readonly name = 'ImportInputError';
}

const COMMUNE_RE = /^(\d{5}|2[AB]\d{3})$/;
const SIREN_RE = /^\d{9}$/;
const REGION_RE = /^\d{2}$/;

/** `8408`, `TI8408`, `ti-8408`, `TI-8408` -> `8408`; anything else -> undefined. */
export function normaliseCode(raw: string): string | undefined {
  const m = /^(?:ti-?)?(\d{4})$/i.exec(raw.trim());
  return m?.[1];
}

/** CC, CA, CU, ME from an INSEE EPCI name when its prefix says so. */
export function natureFromName(name: string): string | undefined {
  const m = /^(CC|CA|CU) /.exec(name);
  if (m) return m[1];
  if (/^(Eurom|M)étropole|^Metropole/i.test(name) || / Métropole$/.test(name)) return 'ME';
  return undefined;
}

function columns(table: CsvTable, file: string, wanted: string[]): number[] {
  const lower = table.header.map((h) => h.toLowerCase());
  const idx = wanted.map((w) => lower.indexOf(w.toLowerCase()));
  const missing = wanted.filter((_, i) => idx[i]! < 0);
  if (missing.length)
    throw new ImportInputError(`${file}: the header lacks ${missing.join(', ')} (found: ${table.header.join(', ')})`);
  return idx;
}

export function communesFormat(header: string[]): 'anct' | 'signaux-faibles' | undefined {
  const h = new Set(header.map((x) => x.toLowerCase()));
  if (['insee_com', 'lib_com', 'id_ti', 'lib_ti'].every((c) => h.has(c))) return 'anct';
  if (['code_commune', 'code_terrind', 'libelle_terrind'].every((c) => h.has(c))) return 'signaux-faibles';
  return undefined;
}

interface InseeCommune {
  epci: Epci | undefined;
  region: string;
}

function parseInsee(src: SourceFile, problems: Problem[]): Map<string, InseeCommune> {
  const table = parseCsv(src.text);
  const [cCom, cEpci, cNom, cReg] = columns(table, src.name, ['DEPCOM', 'EPCI', 'NOM_EPCI', 'REG']);
  for (const b of table.broken) problems.push({ file: src.name, ...b });
  const out = new Map<string, InseeCommune>();
  for (const row of table.rows) {
    const f = row.fields;
    if (f.length !== table.header.length) {
      problems.push({
        file: src.name,
        line: row.line,
        message: `expected ${table.header.length} fields, found ${f.length}`,
      });
      continue;
    }
    const com = f[cCom!]!.trim();
    const siren = f[cEpci!]!.trim();
    const name = f[cNom!]!.trim();
    const reg = f[cReg!]!.trim();
    if (!COMMUNE_RE.test(com)) {
      problems.push({ file: src.name, line: row.line, message: `DEPCOM "${com}" is not an INSEE commune code` });
      continue;
    }
    if (!REGION_RE.test(reg)) {
      problems.push({ file: src.name, line: row.line, message: `REG "${reg}" is not a 2-digit region code` });
      continue;
    }
    // INSEE writes ZZZZZZZZZ for the few communes outside any EPCI (islands)
    const hasEpci = SIREN_RE.test(siren);
    if (!hasEpci && !/^Z+$/.test(siren)) {
      problems.push({ file: src.name, line: row.line, message: `EPCI "${siren}" is not a 9-digit SIREN` });
      continue;
    }
    const nature = natureFromName(name);
    out.set(com, {
      region: reg,
      epci: hasEpci ? { siren, name: name || siren, ...(nature ? { nature } : {}) } : undefined,
    });
  }
  return out;
}

interface Draft {
  code: string;
  name: string;
  line: number;
  communes: { code: string; line: number }[];
  epcis: Map<string, Epci>;
}

/** Parses the lists into territories; never throws for a bad row (it becomes a problem). */
export function parseTerritoryLists(input: {
  programme: Programme;
  communes: SourceFile;
  groupements?: SourceFile | undefined;
  inseeCommunes?: SourceFile | undefined;
}): ParsedLists {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const table = parseCsv(input.communes.text);
  const format = communesFormat(table.header);
  const file = input.communes.name;
  if (!format)
    throw new ImportInputError(
      `${file}: unknown header (${table.header.join(', ')}); expected insee_com,lib_com,id_ti,lib_ti or code_commune,code_terrind,libelle_terrind`,
    );
  if (!input.groupements && !input.inseeCommunes)
    throw new ImportInputError(
      'the EPCIs come from --groupements (ANCT) or are derived from --insee-communes: give one of them',
    );
  for (const b of table.broken) problems.push({ file, ...b });
  const [cCom, cId, cName] =
    format === 'anct'
      ? columns(table, file, ['insee_com', 'id_ti', 'lib_ti'])
      : columns(table, file, ['code_commune', 'code_terrind', 'libelle_terrind']);

  const drafts = new Map<string, Draft>();
  const communeSeen = new Map<string, { line: number; code: string }>();
  for (const row of table.rows) {
    const f = row.fields;
    const bad = (message: string) => problems.push({ file, line: row.line, message });
    if (f.length !== table.header.length) {
      bad(`expected ${table.header.length} fields, found ${f.length}`);
      continue;
    }
    const com = f[cCom!]!.trim();
    const rawId = f[cId!]!.trim();
    const name = f[cName!]!.trim().replace(/\s+/g, ' ');
    const code = normaliseCode(rawId);
    if (!COMMUNE_RE.test(com)) {
      bad(`commune code "${com}" is not an INSEE commune code`);
      continue;
    }
    if (!code) {
      bad(`territory code "${rawId}" is not a territory code (8408, TI8408 or ti-8408)`);
      continue;
    }
    if (!name) {
      bad(`territory ${code} has no name`);
      continue;
    }
    if (name.length > 200) {
      bad(`territory ${code}: the name is longer than 200 characters`);
      continue;
    }
    const seen = communeSeen.get(com);
    if (seen) {
      bad(
        seen.code === code
          ? `commune ${com} is listed twice for territory ${code} (first on line ${seen.line})`
          : `commune ${com} is already in territory ${seen.code} (line ${seen.line})`,
      );
      continue;
    }
    let d = drafts.get(code);
    if (!d) {
      d = { code, name, line: row.line, communes: [], epcis: new Map() };
      drafts.set(code, d);
    } else if (d.name !== name) {
      bad(`territory ${code} is named "${name}" here but "${d.name}" on line ${d.line}`);
      continue;
    }
    communeSeen.set(com, { line: row.line, code });
    d.communes.push({ code: com, line: row.line });
  }

  const insee = input.inseeCommunes ? parseInsee(input.inseeCommunes, problems) : undefined;
  const regionOf = new Map<string, string>();

  if (input.groupements) {
    const g = input.groupements;
    const gt = parseCsv(g.text);
    const [gId, gSiren, gName, gNature] = columns(gt, g.name, [
      'id_ti',
      'siren_groupement',
      'lib_groupement',
      'nature_juridique',
    ]);
    for (const b of gt.broken) problems.push({ file: g.name, ...b });
    for (const row of gt.rows) {
      const f = row.fields;
      const bad = (message: string) => problems.push({ file: g.name, line: row.line, message });
      if (f.length !== gt.header.length) {
        bad(`expected ${gt.header.length} fields, found ${f.length}`);
        continue;
      }
      const rawId = f[gId!]!.trim();
      const siren = f[gSiren!]!.trim();
      const name = f[gName!]!.trim().replace(/\s+/g, ' ');
      const nature = f[gNature!]!.trim().toUpperCase();
      const code = normaliseCode(rawId);
      if (!code) {
        bad(`territory code "${rawId}" is not a territory code`);
        continue;
      }
      if (!SIREN_RE.test(siren)) {
        bad(`siren_groupement "${siren}" is not a 9-digit SIREN`);
        continue;
      }
      if (!name || name.length > 200) {
        bad(`lib_groupement must be 1-200 characters`);
        continue;
      }
      if (nature.length > 10) {
        bad(`nature_juridique "${nature}" is longer than 10 characters`);
        continue;
      }
      const d = drafts.get(code);
      if (!d) {
        bad(`territory ${code} is not in the communes file`);
        continue;
      }
      if (d.epcis.has(siren)) {
        bad(`EPCI ${siren} is listed twice for territory ${code}`);
        continue;
      }
      d.epcis.set(siren, { siren, name, ...(nature ? { nature } : {}) });
    }
  }

  /** Per territory: communes the INSEE table does not know (reported, not counted). */
  const unknownCommunes = new Map<string, number>();
  for (const d of drafts.values()) {
    if (!insee) continue;
    const regions = new Map<string, number>();
    for (const c of d.communes) {
      const known = insee.get(c.code);
      if (!known) {
        unknownCommunes.set(d.code, (unknownCommunes.get(d.code) ?? 0) + 1);
        problems.push({
          file,
          line: c.line,
          message: `commune ${c.code} (territory ${d.code}) is not in the INSEE table ${input.inseeCommunes!.name}`,
        });
        continue;
      }
      regions.set(known.region, (regions.get(known.region) ?? 0) + 1);
      if (!input.groupements) {
        if (known.epci) d.epcis.set(known.epci.siren, known.epci);
        else warnings.push({ file, line: c.line, message: `commune ${c.code} belongs to no EPCI (INSEE)` });
      }
    }
    const ranked = [...regions.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (ranked[0]) {
      // a territory across a regional border belongs to the Region that steers it, the one its
      // code names (phase 1 codes start with the INSEE region: 3213 is steered by 32) when some of
      // its communes lie there; otherwise the Region of most of its communes
      const named = d.code.slice(0, 2);
      const kept = regions.has(named) ? named : ranked[0][0];
      regionOf.set(d.code, kept);
      if (ranked.length > 1)
        warnings.push({
          file,
          line: d.line,
          message: `territory ${d.code}'s communes lie in regions ${ranked.map(([r, n]) => `${r} (${n})`).join(', ')}; region ${kept} kept${kept === named ? ' (named by its code)' : ''}`,
        });
    }
  }

  const territories: ImportedTerritory[] = [];
  for (const d of [...drafts.values()].sort((a, b) => a.code.localeCompare(b.code))) {
    const regionCode = regionOf.get(d.code) ?? d.code.slice(0, 2);
    if (regionCode !== d.code.slice(0, 2))
      warnings.push({
        file,
        line: d.line,
        message: `territory ${d.code}: its communes are in region ${regionCode}, its code says ${d.code.slice(0, 2)}`,
      });
    if (d.epcis.size === 0) {
      problems.push({ file, line: d.line, message: `territory ${d.code} "${d.name}" ends up with no EPCI` });
      continue;
    }
    territories.push({
      id: input.programme.territoryId(d.code),
      code: d.code,
      name: d.name,
      regionCode,
      epcis: [...d.epcis.values()].sort((a, b) => a.siren.localeCompare(b.siren)),
      communes: d.communes.length - (unknownCommunes.get(d.code) ?? 0),
      line: d.line,
    });
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { format, territories, problems, warnings };
}
