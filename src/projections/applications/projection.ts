import type { ApplicationsTable, Database } from '../../db/database.ts';
import type { ApplicationEventOf } from '../../domain/territoires-industrie/application/application.ts';
import type { TerritoryEventOf } from '../../domain/territoires-industrie/territory/territory.ts';
import { inSchema } from '../schema.ts';
import type { Db, Projection, ProjectedEvent, ProjectionContext } from '../types.ts';
import type { Insertable, Kysely, Transaction } from 'kysely';

type Writer = Transaction<Database> | Kysely<Database>;
type Change = Partial<Pick<Insertable<ApplicationsTable>, 'status' | 'decided_on' | 'labelled_on'>>;

/**
 * read.applications: one row per version of an application to a programme's call, over business
 * time (docs/read-models.md). Submitted opens the first version; the selection (or not) and the
 * labelling of the territory from it (`TerritoryLabelled.application`) open the next ones.
 */

/** `application-<id>@<programme>` -> its programme and id. */
function keyOf(stream: string): { programme: string; id: string } | undefined {
  const m = /^application-(.+)@([a-z0-9-]+)$/.exec(stream);
  return m ? { id: m[1]!, programme: m[2]! } : undefined;
}

async function newVersion(db: Writer, programme: string, id: string, date: string, position: string, change: Change) {
  const current = await db
    .selectFrom('read.applications')
    .selectAll()
    .where('programme', '=', programme)
    .where('application_id', '=', id)
    .where('valid_to', 'is', null)
    .executeTakeFirst();
  if (!current) return; // not submitted (yet): nothing to version
  const from = date > current.valid_from ? date : current.valid_from;
  if (from === current.valid_from) {
    await db
      .updateTable('read.applications')
      .set({ ...change, position })
      .where('programme', '=', programme)
      .where('application_id', '=', id)
      .where('valid_from', '=', from)
      .execute();
    return;
  }
  await db
    .updateTable('read.applications')
    .set({ valid_to: from })
    .where('programme', '=', programme)
    .where('application_id', '=', id)
    .where('valid_to', 'is', null)
    .execute();
  await db
    .insertInto('read.applications')
    .values({ ...current, ...change, valid_from: from, valid_to: null, position })
    .execute();
}

export const applicationsProjection: Projection = {
  name: 'applications',
  handles: new Set(['ApplicationSubmitted', 'ApplicationSelected', 'ApplicationNotSelected', 'TerritoryLabelled']),
  async apply(trx: Db, event: ProjectedEvent, ctx: ProjectionContext) {
    const db = inSchema(trx, ctx.schema);
    const position = event.recorded.position.toString();
    switch (event.type) {
      case 'ApplicationSubmitted': {
        const d = event.data as ApplicationEventOf<'ApplicationSubmitted'>['data'];
        await db
          .insertInto('read.applications')
          .values({
            programme: d.programme,
            application_id: d.applicationId,
            valid_from: d.submittedOn,
            valid_to: null,
            name: d.name,
            region_code: d.regionCode,
            epci_count: d.epcis.length,
            status: 'submitted',
            submitted_on: d.submittedOn,
            decided_on: null,
            succeeds: d.succeeds ?? null,
            labelled_on: null,
            synthetic: d.synthetic ?? false,
            position,
          })
          .onConflict((oc) => oc.columns(['programme', 'application_id', 'valid_from']).doNothing())
          .execute();
        return;
      }
      case 'ApplicationSelected':
      case 'ApplicationNotSelected': {
        const key = keyOf(event.recorded.stream);
        if (!key) return;
        const selected = event.type === 'ApplicationSelected';
        const date = selected
          ? (event.data as ApplicationEventOf<'ApplicationSelected'>['data']).selectedOn
          : (event.data as ApplicationEventOf<'ApplicationNotSelected'>['data']).decidedOn;
        await newVersion(db, key.programme, key.id, date, position, {
          status: selected ? 'selected' : 'not_selected',
          decided_on: date,
        });
        return;
      }
      case 'TerritoryLabelled': {
        const d = event.data as TerritoryEventOf<'TerritoryLabelled'>['data'];
        if (!d.application) return;
        await newVersion(db, d.programme, d.application, d.labelledOn, position, {
          status: 'labelled',
          labelled_on: d.labelledOn,
        });
        return;
      }
      default:
        return;
    }
  },
};
