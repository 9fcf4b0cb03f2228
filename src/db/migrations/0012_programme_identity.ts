import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here; write a new migration to change the schema.
//
// A territory's id is unique within its programme (docs/adr/0007): the territories' read models
// are keyed by (programme, territory_id), and read.territory_streams says which stream holds
// which territory of which programme. Rows written by the previous release are kept: every one
// of its territories lives in the stream `territory-<id>`, its programme the one its
// TerritoryLabelled recorded (read.territories.programme already holds it).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table read.territories drop constraint territories_pkey`.execute(db);
  await sql`alter table read.territories add constraint territories_pkey primary key (programme, territory_id, valid_from)`.execute(
    db,
  );
  await sql`drop index read.territories_current_idx`.execute(db);
  await sql`create index territories_current_idx on read.territories (programme, territory_id) where valid_to is null`.execute(
    db,
  );
  // the territory of the previous phase a territory renews (TerritoryLabelled.succeeds)
  await sql`alter table read.territories add column succeeds text`.execute(db);

  await sql`alter table read.territory_epcis add column programme text`.execute(db);
  await sql`
    update read.territory_epcis e set programme = t.programme
      from (select distinct territory_id, programme from read.territories) t
     where t.territory_id = e.territory_id`.execute(db);
  await sql`update read.territory_epcis set programme = 'territoires-industrie-2018' where programme is null`.execute(
    db,
  );
  await sql`alter table read.territory_epcis alter column programme set not null`.execute(db);
  await sql`alter table read.territory_epcis drop constraint territory_epcis_pkey`.execute(db);
  await sql`alter table read.territory_epcis add constraint territory_epcis_pkey primary key (programme, territory_id, siren, valid_from)`.execute(
    db,
  );

  await sql`
    create table read.territory_streams (
      stream text primary key,
      programme text not null,
      territory_id text not null,
      position bigint not null,
      unique (programme, territory_id)
    )`.execute(db);
  await sql`
    insert into read.territory_streams (stream, programme, territory_id, position)
    select 'territory-' || territory_id, programme, territory_id, min(position)
      from read.territories group by territory_id, programme`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table read.territory_streams`.execute(db);
  await sql`alter table read.territory_epcis drop constraint territory_epcis_pkey`.execute(db);
  await sql`alter table read.territory_epcis drop column programme`.execute(db);
  await sql`alter table read.territory_epcis add constraint territory_epcis_pkey primary key (territory_id, siren, valid_from)`.execute(
    db,
  );
  await sql`alter table read.territories drop column succeeds`.execute(db);
  await sql`drop index read.territories_current_idx`.execute(db);
  await sql`create index territories_current_idx on read.territories (territory_id) where valid_to is null`.execute(db);
  await sql`alter table read.territories drop constraint territories_pkey`.execute(db);
  await sql`alter table read.territories add constraint territories_pkey primary key (territory_id, valid_from)`.execute(
    db,
  );
}
