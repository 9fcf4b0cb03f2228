import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here; write a new migration to change the schema.
//
// La Nouvelle France industrielle's read models (docs/read-models.md): the national plans over
// business time, and each Region of 2013's priorities (its choices, its roadmap, its Usine du
// futur firms). Versioned tables are half-open [valid_from, valid_to) like the others.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table read.nfi_plans (
      plan_id text not null,
      valid_from date not null,
      valid_to date,
      programme text not null,
      name text not null,
      launched_on date not null,
      leads jsonb not null default '[]',
      leads_appointed_on date,
      roadmap_validated_on date,
      status text not null,
      grouping_id text,
      grouping_name text,
      synthetic boolean not null default false,
      position bigint not null,
      primary key (plan_id, valid_from)
    )`.execute(db);
  await sql`create index nfi_plans_current_idx on read.nfi_plans (plan_id) where valid_to is null`.execute(db);

  await sql`
    create table read.nfi_plan_choices (
      region_code text not null,
      plan_id text not null,
      valid_from date not null,
      valid_to date,
      programme text not null,
      plan_name text not null,
      rank smallint not null,
      status text not null,
      chosen_on date not null,
      withdrawn_on date,
      lead_person text,
      lead_company text,
      lead_siren text,
      lead_appointed_on date,
      synthetic boolean not null default false,
      position bigint not null,
      primary key (region_code, plan_id, valid_from)
    )`.execute(db);
  await sql`create index nfi_plan_choices_current_idx on read.nfi_plan_choices (region_code) where valid_to is null`.execute(
    db,
  );

  await sql`
    create table read.nfi_roadmaps (
      region_code text not null,
      valid_from date not null,
      valid_to date,
      programme text not null,
      mandated_on date not null,
      due_on date not null,
      status text not null,
      submitted_on date,
      late boolean not null default false,
      accepted_on date,
      sent_back_on date,
      sent_back_reason text,
      position bigint not null,
      primary key (region_code, valid_from)
    )`.execute(db);

  await sql`
    create table read.nfi_usine_du_futur (
      position bigint primary key,
      programme text not null,
      region_code text not null,
      siren text not null,
      name text not null,
      size text not null,
      selected_on date not null,
      synthetic boolean not null default false
    )`.execute(db);
  await sql`create index nfi_usine_du_futur_region_idx on read.nfi_usine_du_futur (region_code, selected_on)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table read.nfi_usine_du_futur`.execute(db);
  await sql`drop table read.nfi_roadmaps`.execute(db);
  await sql`drop table read.nfi_plan_choices`.execute(db);
  await sql`drop table read.nfi_plans`.execute(db);
}
