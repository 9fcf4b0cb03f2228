import type { CommandMetadata } from '../domain/kernel/shared.ts';
import type { TerritoryCommand } from '../domain/territoires-industrie/territory/decide.ts';
import type { Epci, Territory } from '../domain/territoires-industrie/territory/territory.ts';
import type { ImportedTerritory } from './territories.ts';

/**
 * Pure: what must be commanded so that the store's territory matches the imported one.
 * Only differences: a label for an unknown territory, a rename, a perimeter change.
 */
export type Change =
  | { kind: 'label'; territoryId: string; name: string; epcis: number }
  | { kind: 'rename'; territoryId: string; from: string; to: string }
  | { kind: 'perimeter'; territoryId: string; added: string[]; removed: string[] };

export interface TerritoryPlan {
  territoryId: string;
  commands: TerritoryCommand[];
  changes: Change[];
  /** Differences the importer does not command (region, a split or withdrawn territory). */
  notes: string[];
}

export function planTerritory(
  state: Territory,
  t: ImportedTerritory,
  opts: { programme: string; effectiveOn: string; source: string; metadata: CommandMetadata },
): TerritoryPlan {
  const metadata = opts.metadata;
  const plan: TerritoryPlan = { territoryId: t.id, commands: [], changes: [], notes: [] };
  if (state.status === 'Unknown') {
    plan.commands.push({
      type: 'LabelTerritory',
      data: {
        territoryId: t.id,
        programme: opts.programme,
        name: t.name,
        regionCode: t.regionCode,
        epcis: t.epcis,
        labelledOn: opts.effectiveOn,
      },
      metadata,
    });
    plan.changes.push({ kind: 'label', territoryId: t.id, name: t.name, epcis: t.epcis.length });
    return plan;
  }
  if (state.programme !== opts.programme) {
    plan.notes.push(`${t.id} belongs to programme ${state.programme}, not ${opts.programme}: left unchanged`);
    return plan;
  }
  if (state.status !== 'Labelled') {
    plan.notes.push(`${t.id} is ${state.status.toLowerCase()}: left unchanged`);
    return plan;
  }
  if (state.regionCode !== t.regionCode)
    plan.notes.push(`${t.id}: region ${t.regionCode} in the file, ${state.regionCode} in the store (not changed)`);
  if (state.name !== t.name) {
    plan.commands.push({
      type: 'RenameTerritory',
      data: { territoryId: t.id, name: t.name, renamedOn: opts.effectiveOn },
      metadata,
    });
    plan.changes.push({ kind: 'rename', territoryId: t.id, from: state.name, to: t.name });
  }
  const current = new Set(state.epcis.map((e) => e.siren));
  const wanted = new Set(t.epcis.map((e) => e.siren));
  const added: Epci[] = t.epcis.filter((e) => !current.has(e.siren));
  const removed = state.epcis.filter((e) => !wanted.has(e.siren)).map((e) => e.siren);
  if (added.length || removed.length) {
    plan.commands.push({
      type: 'ChangeTerritoryPerimeter',
      data: { territoryId: t.id, added, removed, decidedOn: opts.effectiveOn, reason: `import of ${opts.source}` },
      metadata,
    });
    plan.changes.push({ kind: 'perimeter', territoryId: t.id, added: added.map((e) => e.siren), removed });
  }
  return plan;
}

export function describe(c: Change): string {
  switch (c.kind) {
    case 'label':
      return `+ label   ${c.territoryId} "${c.name}" (${c.epcis} EPCIs)`;
    case 'rename':
      return `~ rename  ${c.territoryId} "${c.from}" -> "${c.to}"`;
    case 'perimeter':
      return `~ EPCIs   ${c.territoryId} +[${c.added.join(' ')}] -[${c.removed.join(' ')}]`;
  }
}
