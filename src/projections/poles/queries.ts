import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { currentRegionOf, regionInForce, type Geography } from '../../domain/kernel/regions.ts';

/**
 * Reads of the pôles de compétitivité's read models as of a business date (docs/read-models.md):
 * the pôles labelled on a date, a pôle's page, the programme's report. Every figure is computed
 * from the rows' business dates, so any date answers what the ledger held for it.
 */
type Q = Kysely<Database>;
const D = (asOf: string) => sql`${asOf}::date`;
const eur = (cents: unknown) => Number(cents ?? 0) / 100;

/** The code a record of Region `code` is reported under on `asOf`. */
export function regionOn(code: string, asOf: string, geography: Geography): string {
  if (geography === 'current') return currentRegionOf(code);
  return regionInForce(code, asOf) ? code : currentRegionOf(code);
}

export interface LabelledPole {
  poleId: string;
  name: string;
  theme: string;
  mainRegion: string;
  otherRegions: string[];
  phase: number;
  category: string | null;
  labelStartsOn: string;
  labelEndsOn: string;
  onProbation: boolean;
  synthetic: boolean;
}

/** The pôles whose label holds on `asOf`, each with the category and phase of that label. */
export async function polesLabelledOn(db: Q, asOf: string): Promise<LabelledPole[]> {
  const d = D(asOf);
  const r = await sql<{
    pole_id: string;
    name: string;
    theme: string;
    main_region: string;
    other_regions: string[];
    phase: number;
    category: string | null;
    starts_on: string;
    ends_on: string;
    on_probation: boolean;
    synthetic: boolean;
  }>`
    with l as (
      select distinct on (l.pole_id) l.*, p.name, p.theme, p.main_region, p.other_regions, p.synthetic
        from read.pole_labels l join read.poles p using (pole_id)
       where l.starts_on <= ${d} and ${d} <= l.ends_on and (p.closed_on is null or p.closed_on > ${d})
       order by l.pole_id, l.starts_on desc, l.position desc)
    select l.pole_id, l.name, l.theme, l.main_region, l.other_regions, l.phase, l.synthetic,
           to_char(l.starts_on, 'YYYY-MM-DD') as starts_on, to_char(l.ends_on, 'YYYY-MM-DD') as ends_on,
           coalesce((select c.category from read.pole_category_changes c
                      where c.pole_id = l.pole_id and c.position > l.position and c.changed_on <= ${d}
                      order by c.changed_on desc, c.position desc limit 1), l.category) as category,
           (l.probation_months is not null and (l.probation_ended_on is null or l.probation_ended_on > ${d})) as on_probation
      from l order by l.pole_id`.execute(db);
  return r.rows.map((x) => ({
    poleId: x.pole_id,
    name: x.name,
    theme: x.theme,
    mainRegion: x.main_region,
    otherRegions: x.other_regions,
    phase: x.phase,
    category: x.category,
    labelStartsOn: x.starts_on,
    labelEndsOn: x.ends_on,
    onProbation: x.on_probation,
    synthetic: x.synthetic,
  }));
}

const day = (c: string) => sql.raw(`to_char(${c}, 'YYYY-MM-DD')`);

/** A pôle's page as of `asOf`: its labels, evaluations, contracts and their decisions, projects. Undefined before its first label. */
export async function polePage(db: Q, poleId: string, asOf: string) {
  const d = D(asOf);
  const pole = await sql<Record<string, unknown>>`
    select pole_id, name, theme, main_region, other_regions, merged_from, synthetic, ${day('labelled_on')} as labelled_on,
           case when closed_on <= ${d} then ${day('closed_on')} end as closed_on,
           case when closed_on <= ${d} then closed_by end as closed_by,
           case when closed_on <= ${d} then merged_into end as merged_into
      from read.poles where pole_id = ${poleId} and labelled_on <= ${d}`.execute(db);
  const p = pole.rows[0];
  if (!p) return undefined;
  const [labels, evaluations, contracts, decisions, commitments, objectives, reviews, projects, cofund, impacts] =
    await Promise.all([
      sql<Record<string, unknown>>`
        select phase, category, ${day('starts_on')} as starts_on, ${day('ends_on')} as ends_on, probation_months,
               case when probation_ended_on <= ${d} then ${day('probation_ended_on')} end as probation_ended_on,
               case when probation_ended_on <= ${d} then probation_outcome end as probation_outcome
          from read.pole_labels where pole_id = ${poleId} and starts_on <= ${d} order by starts_on, position`.execute(
        db,
      ),
      sql<Record<string, unknown>>`
        select campaign, rating, ${day('evaluated_on')} as evaluated_on from read.pole_evaluations
         where pole_id = ${poleId} and evaluated_on <= ${d} order by campaign`.execute(db),
      sql<Record<string, unknown>>`
        select contract_id, title, period_from, period_to, regions, ${day('drafted_on')} as drafted_on,
               case when validated_on <= ${d} then ${day('validated_on')} end as validated_on
          from read.pole_contracts where pole_id = ${poleId} and drafted_on <= ${d} order by drafted_on, contract_id`.execute(
        db,
      ),
      sql<Record<string, unknown>>`
        select x.contract_id, x.submission, x.kind, x.decider, x.region_code, ${day('x.decided_on')} as decided_on,
               x.actor_sub, x.actor_name, x.text
          from read.pole_contract_decisions x join read.pole_contracts c using (contract_id)
         where c.pole_id = ${poleId} and x.decided_on <= ${d} order by x.position`.execute(db),
      sql<Record<string, unknown>>`
        select k.contract_id, k.commitment_id, k.party, k.region_code, k.party_name, k.objective, k.description,
               k.amount_cents, ${day('k.due_on')} as due_on, ${day('k.made_on')} as made_on
          from read.pole_contract_commitments k join read.pole_contracts c using (contract_id)
         where c.pole_id = ${poleId} and k.made_on <= ${d} order by k.made_on, k.commitment_id`.execute(db),
      sql<Record<string, unknown>>`
        select o.contract_id, o.objective_id, o.indicator, o.target::float8 as target, ${day('o.due_on')} as due_on
          from read.pole_contract_objectives o join read.pole_contracts c using (contract_id)
         where c.pole_id = ${poleId} and o.set_on <= ${d} order by o.objective_id`.execute(db),
      sql<Record<string, unknown>>`
        select r.contract_id, ${day('r.reviewed_on')} as reviewed_on, r.results, r.comment
          from read.pole_contract_reviews r join read.pole_contracts c using (contract_id)
         where c.pole_id = ${poleId} and r.reviewed_on <= ${d} order by r.position`.execute(db),
      sql<Record<string, unknown>>`
        select project_id, call_number, title, region_code, labelling_poles, lead_name, budget_cents, state_grant_cents,
               ${day('submitted_on')} as submitted_on,
               case when selected_on <= ${d} then ${day('selected_on')} end as selected_on,
               case when rejected_on <= ${d} then ${day('rejected_on')} end as rejected_on,
               case when started_on <= ${d} then ${day('started_on')} end as started_on,
               case when completed_on <= ${d} then ${day('completed_on')} end as completed_on, synthetic
          from read.fui_projects where labelling_poles @> array[${poleId}]::text[] and submitted_on <= ${d}
         order by submitted_on, project_id`.execute(db),
      sql<{ project_id: string; region_code: string; amount_cents: string; decided_on: string }>`
        select f.project_id, f.region_code, f.amount_cents, ${day('f.decided_on')} as decided_on
          from read.fui_project_cofundings f join read.fui_projects p using (project_id)
         where p.labelling_poles @> array[${poleId}]::text[] and f.decided_on <= ${d}`.execute(db),
      sql<Record<string, unknown>>`
        select i.project_id, ${day('i.reported_on')} as reported_on, i.products_services, i.jobs, i.revenue_cents, i.patents
          from read.fui_project_impacts i join read.fui_projects p using (project_id)
         where p.labelling_poles @> array[${poleId}]::text[] and i.reported_on <= ${d} order by i.position`.execute(db),
    ]);
  const status = (c: Record<string, unknown>) => {
    if (c.validated_on) return 'validated';
    const mine = decisions.rows.filter((x) => x.contract_id === c.contract_id);
    const last = mine[mine.length - 1];
    return !last || last.kind === 'refused' ? 'draft' : 'submitted';
  };
  return {
    id: String(p.pole_id),
    asOf,
    name: String(p.name),
    theme: String(p.theme),
    mainRegion: String(p.main_region),
    otherRegions: p.other_regions as string[],
    mergedFrom: p.merged_from as string[],
    synthetic: Boolean(p.synthetic),
    labelledOn: String(p.labelled_on),
    closedOn: (p.closed_on as string | null) ?? null,
    closedBy: (p.closed_by as string | null) ?? null,
    mergedInto: (p.merged_into as string | null) ?? null,
    labels: labels.rows.map((l) => ({
      phase: Number(l.phase),
      category: (l.category as string | null) ?? null,
      startsOn: String(l.starts_on),
      endsOn: String(l.ends_on),
      probationMonths: l.probation_months === null ? null : Number(l.probation_months),
      probationEndedOn: (l.probation_ended_on as string | null) ?? null,
      probationOutcome: (l.probation_outcome as string | null) ?? null,
    })),
    evaluations: evaluations.rows.map((e) => ({
      campaign: Number(e.campaign),
      rating: String(e.rating),
      evaluatedOn: String(e.evaluated_on),
    })),
    contracts: contracts.rows.map((c) => ({
      id: String(c.contract_id),
      title: String(c.title),
      periodFrom: Number(c.period_from),
      periodTo: Number(c.period_to),
      regions: c.regions as string[],
      draftedOn: String(c.drafted_on),
      status: status(c),
      validatedOn: (c.validated_on as string | null) ?? null,
      commitments: commitments.rows
        .filter((k) => k.contract_id === c.contract_id)
        .map((k) => ({
          commitmentId: String(k.commitment_id),
          party: String(k.party),
          regionCode: (k.region_code as string | null) ?? null,
          partyName: String(k.party_name),
          objective: (k.objective as string | null) ?? null,
          description: String(k.description),
          amountEur: eur(k.amount_cents),
          dueOn: String(k.due_on),
          madeOn: String(k.made_on),
        })),
      objectives: objectives.rows
        .filter((o) => o.contract_id === c.contract_id)
        .map((o) => ({
          objectiveId: String(o.objective_id),
          indicator: String(o.indicator),
          target: Number(o.target),
          dueOn: String(o.due_on),
        })),
      decisions: decisions.rows
        .filter((x) => x.contract_id === c.contract_id)
        .map((x) => ({
          submission: Number(x.submission),
          kind: String(x.kind),
          decider: (x.decider as string | null) ?? null,
          regionCode: (x.region_code as string | null) ?? null,
          decidedOn: String(x.decided_on),
          recordedBy: { sub: String(x.actor_sub), name: String(x.actor_name) },
          text: (x.text as string | null) ?? null,
        })),
      reviews: reviews.rows
        .filter((r) => r.contract_id === c.contract_id)
        .map((r) => ({
          reviewedOn: String(r.reviewed_on),
          results: r.results as { objectiveId: string; achieved: number }[],
          comment: (r.comment as string | null) ?? null,
        })),
    })),
    projects: projects.rows.map((x) => ({
      id: String(x.project_id),
      callNumber: Number(x.call_number),
      title: String(x.title),
      regionCode: String(x.region_code),
      labellingPoles: x.labelling_poles as string[],
      lead: String(x.lead_name),
      budgetEur: eur(x.budget_cents),
      status: x.completed_on
        ? 'completed'
        : x.started_on
          ? 'started'
          : x.selected_on
            ? 'selected'
            : x.rejected_on
              ? 'rejected'
              : 'submitted',
      submittedOn: String(x.submitted_on),
      selectedOn: (x.selected_on as string | null) ?? null,
      stateGrantEur: x.selected_on ? eur(x.state_grant_cents) : 0,
      coFunding: cofund.rows
        .filter((f) => f.project_id === x.project_id)
        .map((f) => ({ regionCode: f.region_code, amountEur: eur(f.amount_cents), decidedOn: f.decided_on })),
      impacts: impacts.rows
        .filter((i) => i.project_id === x.project_id)
        .map((i) => ({
          reportedOn: String(i.reported_on),
          productsServices: Number(i.products_services),
          jobs: Number(i.jobs),
          revenueEur: eur(i.revenue_cents),
          patents: Number(i.patents),
        })),
      synthetic: Boolean(x.synthetic),
    })),
  };
}
export type PolePage = NonNullable<Awaited<ReturnType<typeof polePage>>>;
