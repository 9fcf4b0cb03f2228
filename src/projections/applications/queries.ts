import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { ApplicationRow, Database } from '../../db/database.ts';

/** Read-model queries of read.applications: plain functions taking `db` first. */

type AppDb = ExpressionBuilder<Database, 'read.applications'>;

const validOn = (asOf: string | undefined) => (eb: AppDb) =>
  asOf === undefined
    ? eb('valid_to', 'is', null)
    : eb.and([eb('valid_from', '<=', asOf), eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', asOf)])]);

function view(r: ApplicationRow) {
  return {
    id: r.application_id,
    programme: r.programme,
    name: r.name,
    regionCode: r.region_code,
    epciCount: r.epci_count,
    status: r.status,
    submittedOn: r.submitted_on,
    decidedOn: r.decided_on,
    succeeds: r.succeeds,
    labelledOn: r.labelled_on,
    synthetic: r.synthetic,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    position: String(r.position),
  };
}
export type ApplicationView = ReturnType<typeof view>;

export async function getApplication(
  db: Kysely<Database>,
  programme: string,
  id: string,
  asOf?: string,
): Promise<ApplicationView | undefined> {
  const row = await db
    .selectFrom('read.applications')
    .selectAll()
    .where('programme', '=', programme)
    .where('application_id', '=', id)
    .where(validOn(asOf))
    .executeTakeFirst();
  return row ? view(row) : undefined;
}

export async function listApplications(
  db: Kysely<Database>,
  q: {
    programme: string;
    asOf?: string | undefined;
    status?: string | undefined;
    region?: string | undefined;
    limit: number;
    offset: number;
  },
) {
  let base = db.selectFrom('read.applications').where('programme', '=', q.programme).where(validOn(q.asOf));
  if (q.status) base = base.where('status', '=', q.status);
  if (q.region) base = base.where('region_code', '=', q.region);
  const [rows, total, counts] = await Promise.all([
    base.selectAll().orderBy('application_id').limit(q.limit).offset(q.offset).execute(),
    base.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    db
      .selectFrom('read.applications')
      .where('programme', '=', q.programme)
      .where(validOn(q.asOf))
      .select(['status', sql<string>`count(*)`.as('n')])
      .groupBy('status')
      .execute(),
  ]);
  const byStatus = { submitted: 0, selected: 0, not_selected: 0, labelled: 0 };
  for (const c of counts) if (c.status in byStatus) byStatus[c.status as keyof typeof byStatus] = Number(c.n);
  return { items: rows.map(view), total: Number(total.n), byStatus, limit: q.limit, offset: q.offset };
}
