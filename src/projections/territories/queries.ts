import { sql, type Kysely, type ExpressionBuilder } from 'kysely';
import type { Database, TerritoryRow } from '../../db/database.ts';

/** Read-model queries: plain functions taking `db` first. */

type TerritoryDb = ExpressionBuilder<Database, 'read.territories'>;

/** Rows valid on a business date (or the open rows when no date is given). */
const validOn = (asOf: string | undefined) => (eb: TerritoryDb) =>
  asOf === undefined
    ? eb('valid_to', 'is', null)
    : eb.and([eb('valid_from', '<=', asOf), eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', asOf)])]);

/** The programme a read means when it names none (docs/adr/0007). */
export const DEFAULT_READ_PROGRAMME = 'territoires-industrie-2018';

async function epcisOf(db: Kysely<Database>, programme: string, ids: string[], asOf: string | undefined) {
  if (ids.length === 0) return new Map<string, { siren: string; name: string; nature: string | null }[]>();
  const rows = await db
    .selectFrom('read.territory_epcis')
    .select(['territory_id', 'siren', 'name', 'nature'])
    .where('programme', '=', programme)
    .where('territory_id', 'in', ids)
    .where((eb) =>
      asOf === undefined
        ? eb('valid_to', 'is', null)
        : eb.and([eb('valid_from', '<=', asOf), eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', asOf)])]),
    )
    .orderBy('siren')
    .execute();
  const by = new Map<string, { siren: string; name: string; nature: string | null }[]>();
  for (const r of rows) {
    const list = by.get(r.territory_id) ?? [];
    list.push({ siren: r.siren, name: r.name, nature: r.nature });
    by.set(r.territory_id, list);
  }
  return by;
}

function view(row: TerritoryRow, epcis: { siren: string; name: string; nature: string | null }[]) {
  return {
    id: row.territory_id,
    programme: row.programme,
    name: row.name,
    regionCode: row.region_code,
    status: row.status,
    labelledOn: row.labelled_on,
    epcis,
    coLeads: { industrial: row.industrial_co_lead, elected: row.elected_co_lead },
    splitFrom: row.split_from,
    succeeds: row.succeeds,
    application: row.application_id,
    projectLead:
      row.project_lead === null
        ? null
        : {
            name: row.project_lead,
            appointedOn: row.project_lead_appointed_on!,
            cofinancingEur: Number(row.project_lead_cofinancing_cents ?? 0) / 100,
            funders: row.project_lead_funders ? row.project_lead_funders.split('; ') : [],
          },
    synthetic: row.synthetic,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    position: String(row.position),
  };
}
export type TerritoryView = ReturnType<typeof view>;

export async function getTerritory(
  db: Kysely<Database>,
  id: string,
  asOf?: string,
  programme: string = DEFAULT_READ_PROGRAMME,
): Promise<TerritoryView | undefined> {
  const row = await db
    .selectFrom('read.territories')
    .selectAll()
    .where('programme', '=', programme)
    .where('territory_id', '=', id)
    .where(validOn(asOf))
    .executeTakeFirst();
  if (!row) return undefined;
  const epcis = await epcisOf(db, programme, [id], asOf);
  return view(row, epcis.get(id) ?? []);
}

export async function listTerritories(
  db: Kysely<Database>,
  q: {
    region?: string | undefined;
    programme?: string | undefined;
    asOf?: string | undefined;
    limit: number;
    offset: number;
  },
) {
  let base = db.selectFrom('read.territories').where(validOn(q.asOf));
  if (q.region) base = base.where('region_code', '=', q.region);
  const programme = q.programme ?? DEFAULT_READ_PROGRAMME;
  base = base.where('programme', '=', programme);
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('territory_id').limit(q.limit).offset(q.offset).execute(),
    base.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const epcis = await epcisOf(
    db,
    programme,
    rows.map((r) => r.territory_id),
    q.asOf,
  );
  return {
    items: rows.map((r) => view(r, epcis.get(r.territory_id) ?? [])),
    total: Number(total.n),
    limit: q.limit,
    offset: q.offset,
  };
}
