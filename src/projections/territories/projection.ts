import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, TerritoryRow } from '../../db/database.ts';
import type { Projection, ProjectedEvent, ProjectionContext } from '../types.ts';
import { inSchema } from '../schema.ts';
import type { Epci, TerritoryEventOf } from '../../domain/territoires-industrie/territory/territory.ts';

type Db = Transaction<Database> | Kysely<Database>;
type Data<T extends TerritoryEventOf<any>['type']> = TerritoryEventOf<T>['data'];

/**
 * read.territories and read.territory_epcis, versioned over business time.
 * A change dated D closes the open version (valid_to = D) and opens a new one (valid_from = D);
 * a second change on the same day updates that day's version in place.
 */
/** A territory's identity: its id within its programme (docs/adr/0007). */
interface Key {
  programme: string;
  id: string;
}

async function newVersion(
  db: Db,
  key: Key,
  date: string,
  position: string,
  change: Partial<Omit<TerritoryRow, 'territory_id' | 'programme' | 'valid_from' | 'valid_to' | 'position'>>,
): Promise<void> {
  const territoryId = key.id;
  const current = await db
    .selectFrom('read.territories')
    .selectAll()
    .where('programme', '=', key.programme)
    .where('territory_id', '=', territoryId)
    .where('valid_to', 'is', null)
    .executeTakeFirst();
  if (!current) return; // not labelled (yet): nothing to version
  // Dates within one territory never go backwards (decide refuses it); clamp rather than refuse.
  const from = date > current.valid_from ? date : current.valid_from;
  if (from === current.valid_from) {
    await db
      .updateTable('read.territories')
      .set({ ...change, position })
      .where('programme', '=', key.programme)
      .where('territory_id', '=', territoryId)
      .where('valid_from', '=', from)
      .execute();
    return;
  }
  await db
    .updateTable('read.territories')
    .set({ valid_to: from })
    .where('programme', '=', key.programme)
    .where('territory_id', '=', territoryId)
    .where('valid_to', 'is', null)
    .execute();
  const { valid_to: _vt, synthetic, ...rest } = current;
  await db
    .insertInto('read.territories')
    .values({ ...rest, synthetic, ...change, valid_from: from, valid_to: null, position })
    .execute();
}

async function addEpcis(db: Db, key: Key, epcis: Epci[], date: string, position: string) {
  if (epcis.length === 0) return;
  await db
    .insertInto('read.territory_epcis')
    .values(
      epcis.map((e) => ({
        programme: key.programme,
        territory_id: key.id,
        siren: e.siren,
        name: e.name,
        nature: e.nature ?? null,
        valid_from: date,
        valid_to: null,
        position,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['programme', 'territory_id', 'siren', 'valid_from']).doUpdateSet((eb) => ({
        valid_to: null,
        name: eb.ref('excluded.name'),
        nature: eb.ref('excluded.nature'),
        position: eb.ref('excluded.position'),
      })),
    )
    .execute();
}

async function closeEpcis(db: Db, key: Key, sirens: string[] | 'all', date: string) {
  let q = db
    .updateTable('read.territory_epcis')
    .set({ valid_to: sql<string>`greatest(valid_from, ${date}::date)` })
    .where('programme', '=', key.programme)
    .where('territory_id', '=', key.id)
    .where('valid_to', 'is', null);
  if (sirens !== 'all') {
    if (sirens.length === 0) return;
    q = q.where('siren', 'in', sirens);
  }
  await q.execute();
}

export const territoriesProjection: Projection = {
  name: 'territories',
  handles: new Set([
    'TerritoryLabelled',
    'TerritoryRenamed',
    'TerritoryPerimeterChanged',
    'TerritorySplit',
    'TerritoryCoLeadsAppointed',
    'TerritoryWithdrawn',
    'TerritoryProjectLeadAppointed',
    'TerritorySuccessionLinked',
  ]),
  async apply(trx, event: ProjectedEvent, ctx: ProjectionContext) {
    const db = inSchema(trx, ctx.schema);
    const position = event.recorded.position.toString();
    const date = event.occurredOn;
    const stream = event.recorded.stream;
    if (event.type === 'TerritoryLabelled') {
      const d = event.data as Data<'TerritoryLabelled'>;
      await db
        .insertInto('read.territory_streams')
        .values({ stream, programme: d.programme, territory_id: d.territoryId, position })
        .onConflict((oc) => oc.column('stream').doNothing())
        .execute();
    }
    // Which territory of which programme the stream holds, as its TerritoryLabelled said.
    const known = await db
      .selectFrom('read.territory_streams')
      .select(['programme', 'territory_id'])
      .where('stream', '=', stream)
      .executeTakeFirst();
    if (!known) return; // not labelled (yet): nothing to project
    const key: Key = { programme: known.programme, id: known.territory_id };
    switch (event.type) {
      case 'TerritoryLabelled': {
        const d = event.data as Data<'TerritoryLabelled'>;
        if (d.programme !== key.programme || d.territoryId !== key.id) return; // a second label: a fact, ignored
        await db
          .insertInto('read.territories')
          .values({
            territory_id: d.territoryId,
            valid_from: d.labelledOn,
            valid_to: null,
            programme: d.programme,
            name: d.name,
            region_code: d.regionCode,
            status: 'labelled',
            labelled_on: d.labelledOn,
            epci_count: d.epcis.length,
            industrial_co_lead: null,
            elected_co_lead: null,
            split_from: d.splitFrom ?? null,
            succeeds: d.succeeds ?? null,
            synthetic: d.synthetic ?? false,
            position,
            application_id: d.application ?? null,
          })
          .onConflict((oc) => oc.columns(['programme', 'territory_id', 'valid_from']).doNothing())
          .execute();
        await addEpcis(db, key, d.epcis, d.labelledOn, position);
        return;
      }
      case 'TerritoryRenamed': {
        const d = event.data as Data<'TerritoryRenamed'>;
        await newVersion(db, key, date, position, { name: d.name });
        return;
      }
      case 'TerritoryPerimeterChanged': {
        const d = event.data as Data<'TerritoryPerimeterChanged'>;
        await closeEpcis(db, key, d.removed, date);
        await addEpcis(db, key, d.added, date, position);
        const count = await db
          .selectFrom('read.territory_epcis')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('programme', '=', key.programme)
          .where('territory_id', '=', key.id)
          .where('valid_to', 'is', null)
          .executeTakeFirstOrThrow();
        await newVersion(db, key, date, position, { epci_count: Number(count.n) });
        return;
      }
      case 'TerritorySplit': {
        await newVersion(db, key, date, position, { status: 'split' });
        await closeEpcis(db, key, 'all', date);
        return;
      }
      case 'TerritoryCoLeadsAppointed': {
        const d = event.data as Data<'TerritoryCoLeadsAppointed'>;
        await newVersion(db, key, date, position, {
          industrial_co_lead: d.industrial.name,
          elected_co_lead: d.elected.name,
        });
        return;
      }
      case 'TerritoryProjectLeadAppointed': {
        const d = event.data as Data<'TerritoryProjectLeadAppointed'>;
        await newVersion(db, key, date, position, {
          project_lead: d.lead.name,
          project_lead_appointed_on: d.appointedOn,
          project_lead_cofinancing_cents: String(d.cofinancing.reduce((a, f) => a + f.amountCents, 0)),
          project_lead_funders: d.cofinancing.map((f) => f.funder).join('; '),
        });
        return;
      }
      case 'TerritorySuccessionLinked': {
        const d = event.data as Data<'TerritorySuccessionLinked'>;
        await newVersion(db, key, date, position, { succeeds: d.succeeds });
        return;
      }
      case 'TerritoryWithdrawn': {
        await newVersion(db, key, date, position, { status: 'withdrawn' });
        await closeEpcis(db, key, 'all', date);
        return;
      }
      default:
        return;
    }
  },
};
