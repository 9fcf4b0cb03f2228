import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here; write a new migration to change the schema.
//
// The pôles de compétitivité's read models (docs/read-models.md, "Pôles de compétitivité"): rows
// carry their business dates (a label's start and end, a decision's day, a project's milestones),
// so every as-of question is a date comparison. Keys are natural ids or log positions: applying
// an event twice leaves the same rows.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table read.poles (
      pole_id text primary key,
      name text not null,
      theme text not null,
      main_region text not null,
      other_regions text[] not null,
      merged_from text[] not null,
      synthetic boolean not null,
      labelled_on date not null,
      closed_on date,
      closed_by text,
      merged_into text,
      position bigint not null
    )`.execute(db);
  await sql`
    create table read.pole_labels (
      pole_id text not null,
      position bigint not null,
      phase integer not null,
      category text,
      starts_on date not null,
      ends_on date not null,
      probation_months integer,
      probation_ended_on date,
      probation_outcome text,
      primary key (pole_id, position)
    )`.execute(db);
  await sql`create index pole_labels_dates_idx on read.pole_labels (starts_on, ends_on)`.execute(db);
  await sql`
    create table read.pole_category_changes (
      pole_id text not null,
      position bigint not null,
      category text not null,
      changed_on date not null,
      primary key (pole_id, position)
    )`.execute(db);
  await sql`
    create table read.pole_evaluations (
      pole_id text not null,
      campaign integer not null,
      rating text not null,
      evaluated_on date not null,
      position bigint not null,
      primary key (pole_id, campaign)
    )`.execute(db);

  await sql`
    create table read.pole_contracts (
      contract_id text primary key,
      pole_id text not null,
      title text not null,
      period_from integer not null,
      period_to integer not null,
      regions text[] not null,
      drafted_on date not null,
      status text not null,
      submissions integer not null,
      validated_on date,
      total_cents bigint not null,
      position bigint not null
    )`.execute(db);
  await sql`create index pole_contracts_pole_idx on read.pole_contracts (pole_id)`.execute(db);
  await sql`
    create table read.pole_contract_decisions (
      position bigint primary key,
      contract_id text not null,
      submission integer not null,
      kind text not null,
      decider text,
      region_code text,
      decided_on date not null,
      actor_sub text not null,
      actor_name text not null,
      text text
    )`.execute(db);
  await sql`create index pole_contract_decisions_contract_idx on read.pole_contract_decisions (contract_id)`.execute(
    db,
  );
  await sql`
    create table read.pole_contract_commitments (
      contract_id text not null,
      commitment_id text not null,
      party text not null,
      region_code text,
      party_name text not null,
      party_siren text,
      objective text,
      description text not null,
      amount_cents bigint not null,
      due_on date not null,
      made_on date not null,
      primary key (contract_id, commitment_id)
    )`.execute(db);
  await sql`
    create table read.pole_contract_objectives (
      contract_id text not null,
      objective_id text not null,
      indicator text not null,
      target numeric not null,
      due_on date not null,
      set_on date not null,
      primary key (contract_id, objective_id)
    )`.execute(db);
  await sql`
    create table read.pole_contract_reviews (
      contract_id text not null,
      position bigint not null,
      reviewed_on date not null,
      results jsonb not null,
      comment text,
      primary key (contract_id, position)
    )`.execute(db);

  await sql`
    create table read.fui_calls (
      call_number integer primary key,
      opens_on date not null,
      closes_on date not null,
      synthetic boolean not null,
      published_on date,
      submitted integer,
      selected integer,
      state_cents bigint,
      local_authorities_cents bigint,
      source text
    )`.execute(db);
  await sql`
    create table read.fui_projects (
      project_id text primary key,
      call_number integer not null,
      title text not null,
      region_code text not null,
      labelling_poles text[] not null,
      firms integer not null,
      labs integer not null,
      lead_name text not null,
      budget_cents bigint not null,
      submitted_on date not null,
      selected_on date,
      rejected_on date,
      state_grant_cents bigint not null default 0,
      started_on date,
      completed_on date,
      synthetic boolean not null,
      position bigint not null
    )`.execute(db);
  await sql`create index fui_projects_call_idx on read.fui_projects (call_number)`.execute(db);
  await sql`create index fui_projects_poles_idx on read.fui_projects using gin (labelling_poles)`.execute(db);
  await sql`
    create table read.fui_project_cofundings (
      project_id text not null,
      region_code text not null,
      amount_cents bigint not null,
      decided_on date not null,
      primary key (project_id, region_code)
    )`.execute(db);
  await sql`
    create table read.fui_project_impacts (
      project_id text not null,
      position bigint not null,
      reported_on date not null,
      products_services integer not null,
      jobs integer not null,
      revenue_cents bigint not null,
      patents integer not null,
      primary key (project_id, position)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'fui_project_impacts',
    'fui_project_cofundings',
    'fui_projects',
    'fui_calls',
    'pole_contract_reviews',
    'pole_contract_objectives',
    'pole_contract_commitments',
    'pole_contract_decisions',
    'pole_contracts',
    'pole_evaluations',
    'pole_category_changes',
    'pole_labels',
    'poles',
  ])
    await sql`drop table ${sql.id('read', t)}`.execute(db);
}
