import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { regionName, type Geography } from '../../domain/kernel/regions.ts';
import { polesLabelledOn, regionOn } from '../poles/queries.ts';

/**
 * `GET /reports/poles?asOf=`: the pôles de compétitivité as of a business date
 * (docs/read-models.md): pôles labelled by category and phase, on probation, evaluations by
 * rating, performance contracts validated, each FUI call with its published figures and what the
 * ledger records of it, projects with an impact report and the sums of their indicators; per Region.
 */
type Q = Kysely<Database>;
const eur = (cents: unknown) => Number(cents ?? 0) / 100;

export interface PolesReport {
  asOf: string;
  geography: Geography;
  poles: {
    labelled: number;
    byCategory: Record<string, number>;
    byPhase: Record<string, number>;
    onProbation: number;
  };
  evaluations: { campaign: number; rating: string; poles: number }[];
  contracts: { drafted: number; submitted: number; validated: number };
  fuiCalls: {
    callNumber: number;
    opensOn: string;
    closesOn: string;
    windowSynthetic: boolean;
    published: {
      publishedOn: string;
      submitted: number;
      selected: number;
      stateEur: number;
      localAuthoritiesEur: number;
      source: string;
    } | null;
    recorded: { submitted: number; selected: number; rejected: number; stateEur: number; regionsEur: number };
  }[];
  projects: {
    submitted: number;
    selected: number;
    completed: number;
    withImpact: number;
    impact: { productsServices: number; jobs: number; revenueEur: number; patents: number };
  };
  byRegion: {
    regionCode: string;
    name: string;
    polesLabelled: number;
    projectsSelected: number;
    projectsCoFunded: number;
    stateEur: number;
    regionEur: number;
  }[];
}

export async function polesReport(db: Q, asOf: string, geography: Geography): Promise<PolesReport> {
  const d = sql`${asOf}::date`;
  const [
    labelled,
    evaluations,
    contracts,
    calls,
    perCall,
    cofundPerCall,
    projects,
    impact,
    perRegion,
    cofundPerRegion,
  ] = await Promise.all([
    polesLabelledOn(db, asOf),
    sql<{ campaign: number; rating: string; n: string }>`
        select campaign, rating, count(*) as n from read.pole_evaluations where evaluated_on <= ${d}
         group by campaign, rating order by campaign, rating`.execute(db),
    sql<{ drafted: string; submitted: string; validated: string }>`
        select count(*) as drafted,
               count(*) filter (where exists (select 1 from read.pole_contract_decisions x
                  where x.contract_id = c.contract_id and x.kind = 'submitted' and x.decided_on <= ${d})) as submitted,
               count(*) filter (where validated_on <= ${d}) as validated
          from read.pole_contracts c where drafted_on <= ${d}`.execute(db),
    sql<Record<string, unknown>>`
        select call_number, to_char(opens_on, 'YYYY-MM-DD') as opens_on, to_char(closes_on, 'YYYY-MM-DD') as closes_on, synthetic,
               case when published_on <= ${d} then to_char(published_on, 'YYYY-MM-DD') end as published_on,
               submitted, selected, state_cents, local_authorities_cents, source
          from read.fui_calls where opens_on <= ${d} order by call_number`.execute(db),
    sql<{ call_number: number; submitted: string; selected: string; rejected: string; state_cents: string }>`
        select call_number, count(*) as submitted, count(*) filter (where selected_on <= ${d}) as selected,
               count(*) filter (where rejected_on <= ${d}) as rejected,
               coalesce(sum(state_grant_cents) filter (where selected_on <= ${d}), 0) as state_cents
          from read.fui_projects where submitted_on <= ${d} group by call_number`.execute(db),
    sql<{ call_number: number; cents: string }>`
        select p.call_number, sum(f.amount_cents) as cents from read.fui_project_cofundings f
          join read.fui_projects p using (project_id) where f.decided_on <= ${d} group by p.call_number`.execute(db),
    sql<{ submitted: string; selected: string; completed: string }>`
        select count(*) as submitted, count(*) filter (where selected_on <= ${d}) as selected,
               count(*) filter (where completed_on <= ${d}) as completed
          from read.fui_projects where submitted_on <= ${d}`.execute(db),
    sql<{ projects: string; products: string; jobs: string; revenue: string; patents: string }>`
        select count(distinct project_id) as projects, coalesce(sum(products_services), 0) as products,
               coalesce(sum(jobs), 0) as jobs, coalesce(sum(revenue_cents), 0) as revenue, coalesce(sum(patents), 0) as patents
          from read.fui_project_impacts where reported_on <= ${d}`.execute(db),
    sql<{ region_code: string; selected: string; state_cents: string }>`
        select region_code, count(*) as selected, coalesce(sum(state_grant_cents), 0) as state_cents
          from read.fui_projects where selected_on <= ${d} group by region_code`.execute(db),
    sql<{ region_code: string; projects: string; cents: string }>`
        select region_code, count(*) as projects, sum(amount_cents) as cents
          from read.fui_project_cofundings where decided_on <= ${d} group by region_code`.execute(db),
  ]);

  const count = (xs: string[]) => xs.reduce<Record<string, number>>((a, k) => ({ ...a, [k]: (a[k] ?? 0) + 1 }), {});
  const regions = new Map<string, PolesReport['byRegion'][number]>();
  const region = (code: string) => {
    const g = regionOn(code, asOf, geography);
    let r = regions.get(g);
    if (!r) {
      r = {
        regionCode: g,
        name: regionName(g, geography === 'current' ? undefined : asOf) ?? g,
        polesLabelled: 0,
        projectsSelected: 0,
        projectsCoFunded: 0,
        stateEur: 0,
        regionEur: 0,
      };
      regions.set(g, r);
    }
    return r;
  };
  for (const p of labelled) region(p.mainRegion).polesLabelled++;
  for (const x of perRegion.rows) {
    const r = region(x.region_code);
    r.projectsSelected += Number(x.selected);
    r.stateEur += eur(x.state_cents);
  }
  for (const x of cofundPerRegion.rows) {
    const r = region(x.region_code);
    r.projectsCoFunded += Number(x.projects);
    r.regionEur += eur(x.cents);
  }
  const c = contracts.rows[0]!;
  const pr = projects.rows[0]!;
  const im = impact.rows[0]!;
  return {
    asOf,
    geography,
    poles: {
      labelled: labelled.length,
      byCategory: count(labelled.map((p) => p.category ?? 'none')),
      byPhase: count(labelled.map((p) => String(p.phase))),
      onProbation: labelled.filter((p) => p.onProbation).length,
    },
    evaluations: evaluations.rows.map((e) => ({ campaign: Number(e.campaign), rating: e.rating, poles: Number(e.n) })),
    contracts: { drafted: Number(c.drafted), submitted: Number(c.submitted), validated: Number(c.validated) },
    fuiCalls: calls.rows.map((x) => {
      const n = Number(x.call_number);
      const rec = perCall.rows.find((r) => Number(r.call_number) === n);
      return {
        callNumber: n,
        opensOn: String(x.opens_on),
        closesOn: String(x.closes_on),
        windowSynthetic: Boolean(x.synthetic),
        published: x.published_on
          ? {
              publishedOn: x.published_on as string,
              submitted: Number(x.submitted),
              selected: Number(x.selected),
              stateEur: eur(x.state_cents),
              localAuthoritiesEur: eur(x.local_authorities_cents),
              source: String(x.source),
            }
          : null,
        recorded: {
          submitted: Number(rec?.submitted ?? 0),
          selected: Number(rec?.selected ?? 0),
          rejected: Number(rec?.rejected ?? 0),
          stateEur: eur(rec?.state_cents),
          regionsEur: eur(cofundPerCall.rows.find((r) => Number(r.call_number) === n)?.cents),
        },
      };
    }),
    projects: {
      submitted: Number(pr.submitted),
      selected: Number(pr.selected),
      completed: Number(pr.completed),
      withImpact: Number(im.projects),
      impact: {
        productsServices: Number(im.products),
        jobs: Number(im.jobs),
        revenueEur: eur(im.revenue),
        patents: Number(im.patents),
      },
    },
    byRegion: [...regions.values()].sort((a, b) => a.regionCode.localeCompare(b.regionCode)),
  };
}

/** CSV: `scope,key,metric,value`, one line per figure (scope national, category, phase, evaluation, call, region). */
export function polesReportCsv(r: PolesReport): string {
  const lines = ['scope,key,metric,value'];
  const add = (scope: string, key: string, metric: string, value: number) =>
    lines.push([scope, key, metric, String(value)].join(','));
  add('national', '', 'poles_labelled', r.poles.labelled);
  add('national', '', 'poles_on_probation', r.poles.onProbation);
  for (const [k, v] of Object.entries(r.poles.byCategory)) add('category', k, 'poles_labelled', v);
  for (const [k, v] of Object.entries(r.poles.byPhase)) add('phase', k, 'poles_labelled', v);
  for (const e of r.evaluations) add('evaluation', `${e.campaign}:${e.rating}`, 'poles', e.poles);
  add('national', '', 'contracts_drafted', r.contracts.drafted);
  add('national', '', 'contracts_submitted', r.contracts.submitted);
  add('national', '', 'contracts_validated', r.contracts.validated);
  for (const c of r.fuiCalls) {
    const k = String(c.callNumber);
    if (c.published) {
      add('call', k, 'published_submitted', c.published.submitted);
      add('call', k, 'published_selected', c.published.selected);
      add('call', k, 'published_state_eur', c.published.stateEur);
      add('call', k, 'published_local_authorities_eur', c.published.localAuthoritiesEur);
    }
    add('call', k, 'recorded_submitted', c.recorded.submitted);
    add('call', k, 'recorded_selected', c.recorded.selected);
    add('call', k, 'recorded_state_eur', c.recorded.stateEur);
    add('call', k, 'recorded_regions_eur', c.recorded.regionsEur);
  }
  add('national', '', 'projects_submitted', r.projects.submitted);
  add('national', '', 'projects_selected', r.projects.selected);
  add('national', '', 'projects_completed', r.projects.completed);
  add('national', '', 'projects_with_impact', r.projects.withImpact);
  add('national', '', 'impact_products_services', r.projects.impact.productsServices);
  add('national', '', 'impact_jobs', r.projects.impact.jobs);
  add('national', '', 'impact_revenue_eur', r.projects.impact.revenueEur);
  add('national', '', 'impact_patents', r.projects.impact.patents);
  for (const g of r.byRegion) {
    add('region', g.regionCode, 'poles_labelled', g.polesLabelled);
    add('region', g.regionCode, 'projects_selected', g.projectsSelected);
    add('region', g.regionCode, 'projects_co_funded', g.projectsCoFunded);
    add('region', g.regionCode, 'state_eur', g.stateEur);
    add('region', g.regionCode, 'region_eur', g.regionEur);
  }
  return lines.join('\n') + '\n';
}

/** The pôles' figures of the cross-programme Region report, for the Regions of `codes` (a group's lineage). */
export async function polesRegionFigures(db: Q, codes: readonly string[], asOf: string) {
  const d = sql`${asOf}::date`;
  const [labelled, cofund] = await Promise.all([
    polesLabelledOn(db, asOf),
    sql<{ region_code: string; n: string; cents: string }>`
      select region_code, count(*) as n, sum(amount_cents) as cents from read.fui_project_cofundings
       where region_code = any(${[...codes]}) and decided_on <= ${d} group by region_code`.execute(db),
  ]);
  return {
    polesLabelled: (of: ReadonlySet<string>) => labelled.filter((p) => of.has(p.mainRegion)).length,
    projectsCoFunded: (of: ReadonlySet<string>) =>
      cofund.rows.filter((r) => of.has(r.region_code)).reduce((a, r) => a + Number(r.n), 0),
    coFundingEur: (of: ReadonlySet<string>) =>
      cofund.rows.filter((r) => of.has(r.region_code)).reduce((a, r) => a + eur(r.cents), 0),
  };
}
