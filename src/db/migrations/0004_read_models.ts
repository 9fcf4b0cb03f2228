import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here; write a new migration to change the schema.
//
// The read models of contracts, projects, regions and the audit trail (schema `read`), the report
// views, and two SQL functions the rebuild uses to build a shadow schema (`read_next`) with the
// same tables and views before swapping it in.
export async function up(db: Kysely<any>): Promise<void> {
  // Tables of a read schema. Written as a function so a rebuild creates the very same tables in
  // a shadow schema; `%1$I` is the schema name.
  await sql`
    create function projections.create_read_tables(s text) returns void language plpgsql as $fn$
    begin
      execute format($q$
        create table %1$I.regions (
          region_code text not null,
          valid_from date not null,
          valid_to date,
          name text not null,
          position bigint not null,
          primary key (region_code, valid_from)
        );
        create table %1$I.contracts (
          contract_id text not null,
          valid_from date not null,
          valid_to date,
          territory_id text not null,
          region_code text,
          kind text,
          title text,
          status text not null,
          drafted_on date,
          submitted_on date,
          validated_on date,
          changes_requested_on date,
          rejected_on date,
          signed_on date,
          reopened_on date,
          submissions integer not null default 0,
          commitments integer not null default 0,
          committed_cents bigint not null default 0,
          position bigint not null,
          primary key (contract_id, valid_from)
        );
        create index contracts_current_idx on %1$I.contracts (territory_id) where valid_to is null;
        create index contracts_asof_idx on %1$I.contracts (valid_from, valid_to) include (status, region_code);
        create table %1$I.contract_commitments (
          contract_id text not null,
          commitment_id text not null,
          valid_from date not null,
          valid_to date,
          territory_id text not null,
          region_code text,
          party_kind text not null,
          party_name text,
          party_siren text,
          axis text,
          description text,
          amount_cents bigint not null,
          due_on date,
          status text not null,
          position bigint not null,
          primary key (contract_id, commitment_id, valid_from)
        );
        create table %1$I.contract_decisions (
          position bigint primary key,
          contract_id text not null,
          territory_id text not null,
          region_code text,
          decision text not null,
          valid_from date not null,
          valid_to date,
          actor_sub text,
          actor_name text,
          reason text
        );
        create index contract_decisions_contract_idx on %1$I.contract_decisions (contract_id, valid_from);
        create table %1$I.projects (
          project_id text not null,
          valid_from date not null,
          valid_to date,
          territory_id text not null,
          contract_id text,
          region_code text,
          axis text,
          title text,
          budget_cents bigint,
          status text not null,
          registered_on date,
          started_on date,
          completed_on date,
          abandoned_on date,
          fundings integer not null default 0,
          funding_cents bigint not null default 0,
          position bigint not null,
          primary key (project_id, valid_from)
        );
        create index projects_current_idx on %1$I.projects (territory_id) where valid_to is null;
        create index projects_registered_idx on %1$I.projects (registered_on) include (region_code, axis, abandoned_on) where valid_to is null;
        create index projects_asof_idx on %1$I.projects (valid_from, valid_to) include (status, region_code, axis);
        create table %1$I.project_fundings (
          position bigint primary key,
          project_id text not null,
          funding_id text,
          territory_id text not null,
          region_code text,
          source text not null,
          amount_cents bigint not null,
          valid_from date not null,
          valid_to date
        );
        create index project_fundings_project_idx on %1$I.project_fundings (project_id);
        create index project_fundings_date_idx on %1$I.project_fundings (valid_from) include (amount_cents, source);
        create table %1$I.audit_log (
          position bigint primary key,
          event_id uuid not null,
          stream text not null,
          revision bigint not null,
          type text not null,
          schema_version integer not null,
          actor_sub text,
          actor_name text,
          occurred_on date not null,
          recorded_at timestamptz not null,
          correlation_id text,
          causation_id text,
          summary text not null,
          hash text not null,
          valid_from date not null,
          valid_to date
        );
        create index audit_log_stream_idx on %1$I.audit_log (stream, revision);
        create index audit_log_actor_idx on %1$I.audit_log (actor_sub, position);
        create index audit_log_date_idx on %1$I.audit_log (occurred_on, position);
      $q$, s);
    end
    $fn$`.execute(db);

  // The report views over the current rows (see docs/read-models.md for their as-of forms).
  await sql`
    create function projections.create_read_views(s text) returns void language plpgsql as $fn$
    begin
      execute format($q$
        create view %1$I.progress_by_region as
          select r.region_code,
                 (select count(*) from %1$I.territories t
                   where t.region_code = r.region_code and t.valid_to is null and t.status = 'labelled') as territories,
                 (select count(*) from %1$I.contracts c
                   where c.region_code = r.region_code and c.valid_to is null and c.validated_on is not null) as contracts_validated,
                 (select count(*) from %1$I.projects p
                   where p.region_code = r.region_code and p.valid_to is null and p.abandoned_on is null) as projects
            from %1$I.regions r where r.valid_to is null;
        create view %1$I.progress_by_axis as
          select axis, count(*) as projects
            from %1$I.projects where valid_to is null and abandoned_on is null group by axis;
        create view %1$I.commitments_by_party_kind as
          select party_kind, count(*) as commitments, sum(amount_cents) / 100.0 as amount_eur
            from %1$I.contract_commitments where valid_to is null and status <> 'withdrawn' group by party_kind;
        create view %1$I.funding_by_source as
          select source, count(*) as fundings, sum(amount_cents) / 100.0 as amount_eur
            from %1$I.project_fundings group by source;
      $q$, s);
    end
    $fn$`.execute(db);

  await sql`select projections.create_read_tables('read')`.execute(db);

  // INSEE regions (2016 map). Reference data: a region is not an event of this programme.
  await sql`
    insert into read.regions (region_code, valid_from, valid_to, name, position) values
      ('01','2016-01-01',null,'Guadeloupe',0), ('02','2016-01-01',null,'Martinique',0),
      ('03','2016-01-01',null,'Guyane',0), ('04','2016-01-01',null,'La Réunion',0),
      ('06','2016-01-01',null,'Mayotte',0), ('11','2016-01-01',null,'Île-de-France',0),
      ('24','2016-01-01',null,'Centre-Val de Loire',0), ('27','2016-01-01',null,'Bourgogne-Franche-Comté',0),
      ('28','2016-01-01',null,'Normandie',0), ('32','2016-01-01',null,'Hauts-de-France',0),
      ('44','2016-01-01',null,'Grand Est',0), ('52','2016-01-01',null,'Pays de la Loire',0),
      ('53','2016-01-01',null,'Bretagne',0), ('75','2016-01-01',null,'Nouvelle-Aquitaine',0),
      ('76','2016-01-01',null,'Occitanie',0), ('84','2016-01-01',null,'Auvergne-Rhône-Alpes',0),
      ('93','2016-01-01',null,'Provence-Alpes-Côte d''Azur',0), ('94','2016-01-01',null,'Corse',0)`.execute(db);
  await sql`select projections.create_read_views('read')`.execute(db);

  // The revision lets `projections:replay` read a parked event back from its stream.
  await sql`alter table projections.dead_letters add column revision bigint`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table projections.dead_letters drop column revision`.execute(db);
  for (const v of ['progress_by_region', 'progress_by_axis', 'commitments_by_party_kind', 'funding_by_source'])
    await sql`drop view if exists ${sql.raw(`read.${v}`)}`.execute(db);
  for (const t of [
    'regions',
    'contracts',
    'contract_commitments',
    'contract_decisions',
    'projects',
    'project_fundings',
    'audit_log',
  ])
    await sql`drop table if exists ${sql.raw(`read.${t}`)}`.execute(db);
  await sql`drop function projections.create_read_views(text)`.execute(db);
  await sql`drop function projections.create_read_tables(text)`.execute(db);
}
