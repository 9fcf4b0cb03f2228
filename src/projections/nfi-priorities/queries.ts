import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { regionName } from '../../domain/kernel/regions.ts';

/** A Region of 2013's priorities as of a business date (read.nfi_plan_choices, nfi_roadmaps, nfi_usine_du_futur). */
export interface ChoiceAsOf {
  planId: string;
  planName: string;
  rank: 1 | 2;
  chosenOn: string;
  lead: { person: string; company: string; siren: string; appointedOn: string } | null;
}
export interface RoadmapAsOf {
  /** due (not handed in, due date not passed), overdue (due date passed), submitted, accepted, sent_back. */
  status: 'due' | 'overdue' | 'submitted' | 'accepted' | 'sent_back';
  dueOn: string;
  submittedOn: string | null;
  /** Submitted after its due date (or still not submitted after it). */
  late: boolean;
  acceptedOn: string | null;
  sentBackOn: string | null;
  sentBackReason: string | null;
}
export interface PrioritiesAsOf {
  regionCode: string;
  name: string;
  mandatedOn: string;
  roadmap: RoadmapAsOf;
  rank1: ChoiceAsOf[];
  rank2: ChoiceAsOf[];
  usineDuFutur: { siren: string; name: string; size: 'SME' | 'ETI'; selectedOn: string; synthetic: boolean }[];
}

const at = (asOf: string) =>
  sql<boolean>`valid_from <= ${asOf}::date and (valid_to is null or valid_to > ${asOf}::date)`;

/** The priorities of each of `codes` mandated on or before `asOf`, in code order. */
export async function prioritiesAsOf(
  db: Kysely<Database>,
  codes: string[],
  asOf: string,
  programme: string,
  opts: { firms?: boolean } = {},
): Promise<PrioritiesAsOf[]> {
  if (codes.length === 0) return [];
  const [roadmaps, choices, firms] = await Promise.all([
    db
      .selectFrom('read.nfi_roadmaps')
      .selectAll()
      .where('programme', '=', programme)
      .where('region_code', 'in', codes)
      .where(at(asOf))
      .orderBy('region_code')
      .execute(),
    db
      .selectFrom('read.nfi_plan_choices')
      .selectAll()
      .where('programme', '=', programme)
      .where('region_code', 'in', codes)
      .where('status', '=', 'chosen')
      .where(at(asOf))
      .orderBy('region_code')
      .orderBy('rank')
      .orderBy('chosen_on')
      .orderBy('plan_id')
      .execute(),
    opts.firms === false
      ? Promise.resolve([])
      : db
          .selectFrom('read.nfi_usine_du_futur')
          .selectAll()
          .where('programme', '=', programme)
          .where('region_code', 'in', codes)
          .where('selected_on', '<=', asOf)
          .orderBy('region_code')
          .orderBy('selected_on')
          .orderBy('siren')
          .execute(),
  ]);
  return roadmaps.map((r) => {
    const mine = choices.filter((c) => c.region_code === r.region_code);
    const choice = (c: (typeof mine)[number]): ChoiceAsOf => ({
      planId: c.plan_id,
      planName: c.plan_name,
      rank: c.rank as 1 | 2,
      chosenOn: c.chosen_on,
      lead:
        c.lead_person && c.lead_company && c.lead_siren && c.lead_appointed_on
          ? { person: c.lead_person, company: c.lead_company, siren: c.lead_siren, appointedOn: c.lead_appointed_on }
          : null,
    });
    const overdue = r.status === 'due' && asOf > r.due_on;
    return {
      regionCode: r.region_code,
      name: regionName(r.region_code, asOf) ?? r.region_code,
      mandatedOn: r.mandated_on,
      roadmap: {
        status: overdue ? 'overdue' : (r.status as RoadmapAsOf['status']),
        dueOn: r.due_on,
        submittedOn: r.submitted_on,
        late: r.late || overdue,
        acceptedOn: r.accepted_on,
        sentBackOn: r.sent_back_on,
        sentBackReason: r.sent_back_reason,
      },
      rank1: mine.filter((c) => c.rank === 1).map(choice),
      rank2: mine.filter((c) => c.rank === 2).map(choice),
      usineDuFutur: firms
        .filter((f) => f.region_code === r.region_code)
        .map((f) => ({
          siren: f.siren,
          name: f.name,
          size: f.size as 'SME' | 'ETI',
          selectedOn: f.selected_on,
          synthetic: f.synthetic,
        })),
    };
  });
}
