import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

/**
 * The continuity report between two phases of a programme (docs/read-models.md): as of D, which
 * territories of the later phase renew one of the earlier phase (their `succeeds` link), which
 * are new, and which of the earlier phase are not renewed. For a new territory with no link (an
 * imported list carries none), the earlier territories whose EPCIs overlap its own are proposed,
 * for an administrator to confirm (POST /territories/{id}/succession records the link).
 */

/** A proposal needs this Jaccard index of the two EPCI sets (shared / either). */
export const PROPOSAL_MIN_JACCARD = 0.5;

interface Named {
  id: string;
  name: string;
  regionCode: string;
}
export interface Proposal extends Named {
  sharedEpcis: number;
  jaccard: number;
}
export interface ContinuityReport {
  programme: string;
  follows: string;
  asOf: string;
  counts: { renewed: number; new: number; notRenewed: number; proposed: number };
  renewed: (Named & { succeeds: { id: string; name: string | null } })[];
  new: (Named & { proposals: Proposal[] })[];
  notRenewed: Named[];
}

export async function continuityReport(
  db: Kysely<Database>,
  programme: string,
  follows: string,
  asOf: string,
): Promise<ContinuityReport> {
  const d = sql`${asOf}::date`;
  const terr = await sql<{
    programme: string;
    territory_id: string;
    name: string;
    region_code: string;
    status: string;
    succeeds: string | null;
  }>`
    select programme, territory_id, name, region_code, status, succeeds from read.territories
     where programme in (${programme}, ${follows})
       and valid_from <= ${d} and (valid_to is null or valid_to > ${d})
     order by territory_id`.execute(db);
  const sirens = new Map<string, Set<string>>();
  const rows = await sql<{ programme: string; territory_id: string; siren: string }>`
    select programme, territory_id, siren from read.territory_epcis
     where programme in (${programme}, ${follows})
       and valid_from <= ${d} and (valid_to is null or valid_to > ${d})`.execute(db);
  for (const r of rows.rows) {
    const k = `${r.programme}\u0000${r.territory_id}`;
    const set = sirens.get(k) ?? new Set<string>();
    set.add(r.siren);
    sirens.set(k, set);
  }
  const of = (p: string, id: string) => sirens.get(`${p}\u0000${id}`) ?? new Set<string>();
  const earlier = terr.rows.filter((r) => r.programme === follows);
  const later = terr.rows.filter((r) => r.programme === programme && r.status === 'labelled');
  const earlierName = new Map(earlier.map((r) => [r.territory_id, r.name]));
  const succeeded = new Set(later.map((r) => r.succeeds).filter((s): s is string => s !== null));
  const open = earlier.filter((r) => r.status === 'labelled' && !succeeded.has(r.territory_id));
  const named = (r: { territory_id: string; name: string; region_code: string }): Named => ({
    id: r.territory_id,
    name: r.name,
    regionCode: r.region_code,
  });

  const renewed: ContinuityReport['renewed'] = [];
  const fresh: ContinuityReport['new'] = [];
  let proposed = 0;
  for (const t of later) {
    if (t.succeeds !== null) {
      renewed.push({ ...named(t), succeeds: { id: t.succeeds, name: earlierName.get(t.succeeds) ?? null } });
      continue;
    }
    const mine = of(programme, t.territory_id);
    const proposals: Proposal[] = [];
    if (mine.size > 0)
      for (const e of open) {
        const theirs = of(follows, e.territory_id);
        let shared = 0;
        for (const s of mine) if (theirs.has(s)) shared++;
        if (shared === 0) continue;
        const jaccard = shared / (mine.size + theirs.size - shared);
        if (jaccard >= PROPOSAL_MIN_JACCARD)
          proposals.push({ ...named(e), sharedEpcis: shared, jaccard: Math.round(jaccard * 1000) / 1000 });
      }
    proposals.sort((a, b) => b.jaccard - a.jaccard || a.id.localeCompare(b.id));
    if (proposals.length > 0) proposed++;
    fresh.push({ ...named(t), proposals: proposals.slice(0, 3) });
  }
  return {
    programme,
    follows,
    asOf,
    counts: { renewed: renewed.length, new: fresh.length, notRenewed: open.length, proposed },
    renewed,
    new: fresh,
    notRenewed: open.map(named),
  };
}

export function continuityCsv(r: ContinuityReport): string {
  const q = (s: string | null) => (s === null ? '' : /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['section,territory_id,name,region_code,succeeds,succeeds_name,shared_epcis,jaccard'];
  for (const t of r.renewed)
    lines.push(['renewed', t.id, q(t.name), t.regionCode, t.succeeds.id, q(t.succeeds.name), '', ''].join(','));
  for (const t of r.new) {
    lines.push(['new', t.id, q(t.name), t.regionCode, '', '', '', ''].join(','));
    for (const p of t.proposals)
      lines.push(
        ['proposal', t.id, q(t.name), t.regionCode, p.id, q(p.name), String(p.sharedEpcis), String(p.jaccard)].join(
          ',',
        ),
      );
  }
  for (const t of r.notRenewed) lines.push(['not_renewed', t.id, q(t.name), t.regionCode, '', '', '', ''].join(','));
  return lines.join('\n') + '\n';
}
