import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import {
  currentRegionOf,
  lineageOf,
  regionInForce,
  regionName,
  regionsInForce,
  type Geography,
} from '../../domain/kernel/regions.ts';
import { BUILT_IN_PROGRAMMES } from '../../domain/programmes/index.ts';
import { prioritiesAsOf, type PrioritiesAsOf } from '../nfi-priorities/queries.ts';
import { polesRegionFigures } from './poles.ts';

/**
 * The cross-programme report of one Region as of a business date (docs/read-models.md):
 * every programme's figures for the Region, each figure with the programme it comes from.
 *
 * Geography: `asof` groups records by the Regions in force on the date (Grand Est asked for
 * 2014-06-30 answers Alsace, Champagne-Ardenne and Lorraine separately; Lorraine asked for 2019
 * answers Grand Est, which holds its history); `current` groups them by today's Region (Grand Est
 * counts what its three predecessors recorded). A group counts the records of its own code and of
 * every Region that became it.
 */
export interface RegionFigure {
  programme: string;
  metric:
    | 'territories'
    | 'contracts_validated'
    | 'projects'
    | 'funding_eur'
    | 'plans_chosen_rank1'
    | 'plans_chosen_rank2'
    | 'roadmaps_submitted'
    | 'roadmaps_accepted'
    | 'roadmaps_late'
    | 'usine_du_futur_firms'
    | 'poles_labelled'
    | 'fui_projects_co_funded'
    | 'fui_co_funding_eur';
  value: number;
}

/** One Region of 2013's NFI choices and roadmap, as the Region report shows them. */
export interface NfiRegionChoices {
  programme: string;
  regionCode: string;
  name: string;
  roadmapStatus: PrioritiesAsOf['roadmap']['status'];
  submittedOn: string | null;
  late: boolean;
  rank1: { planId: string; planName: string; lead: string | null }[];
  rank2: { planId: string; planName: string; lead: string | null }[];
}
export interface RegionGroup {
  regionCode: string;
  name: string;
  /** The codes whose records the group counts (itself and its predecessors). */
  recordsOf: string[];
  figures: RegionFigure[];
  /** La Nouvelle France industrielle: the choices of each Region of 2013 the group counts. */
  nfi: NfiRegionChoices[];
}
export interface RegionReport {
  regionCode: string;
  asOf: string;
  geography: Geography;
  groups: RegionGroup[];
}

/** The groups a report of `code` on `asOf` answers with. */
export function reportGroups(code: string, asOf: string, geography: Geography): string[] {
  if (geography === 'current') return [currentRegionOf(code)];
  if (regionInForce(code, asOf)) return [code];
  const lineage = new Set(lineageOf(code));
  const predecessors = regionsInForce(asOf).filter((r) => lineage.has(r.code));
  if (predecessors.length > 0) return predecessors.map((r) => r.code);
  // a Region gone by the date: the Region in force then that it became
  const after = regionsInForce(asOf).find((r) => lineageOf(r.code).includes(code));
  return after ? [after.code] : [code];
}

export async function regionReport(
  db: Kysely<Database>,
  code: string,
  asOf: string,
  geography: Geography,
): Promise<RegionReport> {
  const groups = reportGroups(code, asOf, geography);
  const members = new Map(groups.map((g) => [g, lineageOf(g)]));
  const codes = [...new Set([...members.values()].flat())];
  const d = sql`${asOf}::date`;
  const tiProgrammes = BUILT_IN_PROGRAMMES.filter((p) => p.kind === 'territoires-industrie' && p.launchedOn <= asOf);
  const nfiProgrammes = BUILT_IN_PROGRAMMES.filter(
    (p) => p.kind === 'nouvelle-france-industrielle' && p.launchedOn <= asOf,
  );
  const polesLaunched = BUILT_IN_PROGRAMMES.some(
    (p) => p.programmeId === 'poles-competitivite' && p.launchedOn <= asOf,
  );
  const [terr, deltas, funding, nfi, firms, poles] = await Promise.all([
    sql<{ programme: string; region_code: string; n: string }>`
      select programme, region_code, count(*) as n from read.territories
       where region_code = any(${codes}) and status = 'labelled'
         and valid_from <= ${d} and (valid_to is null or valid_to > ${d})
       group by programme, region_code`.execute(db),
    // contracts and projects are phase 1's (docs/adr/0007): the pre-aggregated deltas
    sql<{ metric: string; region_code: string; n: string }>`
      select metric, region_code, sum(delta) as n from (
        select metric, region_code, delta from read.report_deltas_monthly
         where month < date_trunc('month', ${d})::date and region_code = any(${codes})
           and metric in ('contracts_validated', 'projects')
        union all
        select metric, region_code, delta from read.report_deltas
         where day >= date_trunc('month', ${d})::date and day <= ${d} and region_code = any(${codes})
           and metric in ('contracts_validated', 'projects')
      ) x group by metric, region_code`.execute(db),
    // funding per Region: the deltas hold the national sum only
    sql<{ region_code: string; n: string }>`
      select region_code, sum(amount_cents) as n from read.project_fundings
       where region_code = any(${codes}) and valid_from <= ${d}
       group by region_code`.execute(db),
    Promise.all(nfiProgrammes.map((p) => prioritiesAsOf(db, codes, asOf, p.programmeId, { firms: false }))),
    sql<{ programme: string; region_code: string; n: string }>`
      select programme, region_code, count(*) as n from read.nfi_usine_du_futur
       where region_code = any(${codes}) and selected_on <= ${d}
       group by programme, region_code`.execute(db),
    polesLaunched ? polesRegionFigures(db, codes, asOf) : undefined,
  ]);
  const out: RegionGroup[] = groups.map((g) => {
    const of = new Set(members.get(g));
    const figures: RegionFigure[] = [];
    for (const p of tiProgrammes) {
      const territories = terr.rows
        .filter((r) => r.programme === p.programmeId && of.has(r.region_code))
        .reduce((a, r) => a + Number(r.n), 0);
      figures.push({ programme: p.programmeId, metric: 'territories', value: territories });
      if (p.programmeId !== 'territoires-industrie-2018') continue;
      const sum = (metric: string) =>
        deltas.rows.filter((r) => r.metric === metric && of.has(r.region_code)).reduce((a, r) => a + Number(r.n), 0);
      figures.push(
        { programme: p.programmeId, metric: 'contracts_validated', value: sum('contracts_validated') },
        { programme: p.programmeId, metric: 'projects', value: sum('projects') },
        {
          programme: p.programmeId,
          metric: 'funding_eur',
          value: funding.rows.filter((r) => of.has(r.region_code)).reduce((a, r) => a + Number(r.n), 0) / 100,
        },
      );
    }
    const choices: NfiRegionChoices[] = [];
    nfiProgrammes.forEach((p, i) => {
      const mine = (nfi[i] ?? []).filter((r) => of.has(r.regionCode));
      const add = (metric: RegionFigure['metric'], value: number) =>
        figures.push({ programme: p.programmeId, metric, value });
      add(
        'plans_chosen_rank1',
        mine.reduce((a, r) => a + r.rank1.length, 0),
      );
      add(
        'plans_chosen_rank2',
        mine.reduce((a, r) => a + r.rank2.length, 0),
      );
      const submitted = mine.filter((r) => r.roadmap.status === 'submitted' || r.roadmap.status === 'accepted');
      add('roadmaps_submitted', submitted.length);
      add('roadmaps_accepted', mine.filter((r) => r.roadmap.status === 'accepted').length);
      add('roadmaps_late', mine.filter((r) => r.roadmap.late).length);
      add(
        'usine_du_futur_firms',
        firms.rows
          .filter((r) => r.programme === p.programmeId && of.has(r.region_code))
          .reduce((a, r) => a + Number(r.n), 0),
      );
      const view = (c: PrioritiesAsOf['rank1'][number]) => ({
        planId: c.planId,
        planName: c.planName,
        lead: c.lead ? `${c.lead.person} (${c.lead.company})` : null,
      });
      for (const r of mine)
        choices.push({
          programme: p.programmeId,
          regionCode: r.regionCode,
          name: r.name,
          roadmapStatus: r.roadmap.status,
          submittedOn: r.roadmap.submittedOn,
          late: r.roadmap.late,
          rank1: r.rank1.map(view),
          rank2: r.rank2.map(view),
        });
    });
    if (poles)
      figures.push(
        { programme: 'poles-competitivite', metric: 'poles_labelled', value: poles.polesLabelled(of) },
        { programme: 'poles-competitivite', metric: 'fui_projects_co_funded', value: poles.projectsCoFunded(of) },
        { programme: 'poles-competitivite', metric: 'fui_co_funding_eur', value: poles.coFundingEur(of) },
      );
    const on = geography === 'current' ? undefined : asOf;
    return { regionCode: g, name: regionName(g, on) ?? g, recordsOf: [...of].sort(), figures, nfi: choices };
  });
  return { regionCode: code, asOf, geography, groups: out };
}

/**
 * `region_code,region_name,programme,metric,value`, one line per figure. `fr`: for French
 * spreadsheets, as the progress CSV: `;` between fields, decimal comma, UTF-8 byte order mark.
 */
export function regionReportCsv(r: RegionReport, opts: { fr?: boolean } = {}): string {
  const sep = opts.fr ? ';' : ',';
  const q = (s: string) => (s.includes(sep) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const num = (v: number) => (opts.fr ? String(v).replace('.', ',') : String(v));
  const lines = ['region_code,region_name,programme,metric,value'.replaceAll(',', sep)];
  for (const g of r.groups)
    for (const f of g.figures) lines.push([g.regionCode, q(g.name), f.programme, f.metric, num(f.value)].join(sep));
  return (opts.fr ? '\ufeff' : '') + lines.join('\n') + '\n';
}
