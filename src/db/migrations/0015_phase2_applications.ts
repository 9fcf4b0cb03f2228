import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here; write a new migration to change the schema.
//
// Territoires d'industrie phase 2 (issue 16): the applications to a programme's call, and on each
// territory version its co-financed project lead and the application it was labelled from; an
// index for the Region report's funding figure.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table read.applications (
      programme text not null,
      application_id text not null,
      valid_from date not null,
      valid_to date,
      name text not null,
      region_code text not null,
      epci_count integer not null,
      status text not null,
      submitted_on date not null,
      decided_on date,
      succeeds text,
      labelled_on date,
      synthetic boolean not null default false,
      position bigint not null,
      primary key (programme, application_id, valid_from)
    )`.execute(db);
  await sql`create index applications_current_idx on read.applications (programme, application_id) where valid_to is null`.execute(
    db,
  );
  // the Region report's funding per Region as of a date (GET /reports/regions/{code}): an
  // index-only range of the Region's grants instead of every grant up to the date
  await sql`create index project_fundings_region_idx on read.project_fundings (region_code, valid_from) include (amount_cents)`.execute(
    db,
  );
  await sql`alter table read.territories add column application_id text`.execute(db);
  await sql`alter table read.territories add column project_lead text`.execute(db);
  await sql`alter table read.territories add column project_lead_appointed_on date`.execute(db);
  await sql`alter table read.territories add column project_lead_cofinancing_cents bigint`.execute(db);
  await sql`alter table read.territories add column project_lead_funders text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table read.territories drop column project_lead_funders`.execute(db);
  await sql`alter table read.territories drop column project_lead_cofinancing_cents`.execute(db);
  await sql`alter table read.territories drop column project_lead_appointed_on`.execute(db);
  await sql`alter table read.territories drop column project_lead`.execute(db);
  await sql`alter table read.territories drop column application_id`.execute(db);
  await sql`drop index read.project_fundings_region_idx`.execute(db);
  await sql`drop table read.applications`.execute(db);
}
