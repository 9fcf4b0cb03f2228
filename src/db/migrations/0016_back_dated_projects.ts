import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here; write a new migration to change the schema.
//
// Back-dated project facts (docs/read-models.md "Back-dated facts"). The release before this one
// applied a project event dated before the project's open version to that open version (clamped),
// so a funding recorded after later facts was missing from the versions between its grant date
// and the next recorded date, and a lifecycle step recorded after a later-dated funding started at
// that funding's date. From this release a back-dated fact is inserted where its date falls.
//
// This migration rewrites, in `read` (and in `read_next` if a rebuild was under way), the versions
// of the projects whose history has such a fact, as the new projection would have written them:
// one version per distinct business date of its events (dates before the registration count on
// the registration day), each with the lifecycle steps dated on or before it (from the current
// version's milestone dates), the fundings granted on or before it (read.project_fundings), and
// the highest log position of the events dated on or before it (read.audit_log, written in the
// same transactions as read.projects). Projects with no back-dated fact are left as they are: the
// two releases write the same rows for them. `projections:checksum` after it equals a rebuild's.
const PROJECT_EVENTS = [
  'ProjectRegistered',
  'ProjectFundingGranted',
  'ProjectStarted',
  'ProjectCompleted',
  'ProjectAbandoned',
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const schema of ['read', 'read_next']) {
    const exists = await sql<{ ok: boolean }>`
      select to_regclass(${`${schema}.projects`}) is not null and to_regclass(${`${schema}.audit_log`}) is not null
         and to_regclass(${`${schema}.project_fundings`}) is not null as ok`.execute(db);
    if (!exists.rows[0]?.ok) continue;
    const s = sql.id(schema);
    // the projects with an event dated before an event recorded before it
    await sql`
      create temp table back_dated_projects as
      select distinct substr(stream, 9) as project_id from (
        select stream, occurred_on,
               max(occurred_on) over (partition by stream order by position
                                      rows between unbounded preceding and 1 preceding) as latest
          from ${s}.audit_log
         where stream like 'project-%' and type = any(${PROJECT_EVENTS}::text[])
      ) e where occurred_on < latest`.execute(db);
    await sql`
      create temp table back_dated_versions as
      with cur as (
        select p.* from ${s}.projects p join back_dated_projects b using (project_id)
         where p.valid_to is null and p.registered_on is not null
      ), ev as (
        select c.project_id, greatest(a.occurred_on, c.registered_on) as d, a.position
          from cur c join ${s}.audit_log a on a.stream = 'project-' || c.project_id
         where a.type = any(${PROJECT_EVENTS}::text[])
      ), days as (
        select project_id, d, max(position) as pos from ev group by project_id, d
      ), bounds as (
        select project_id, d,
               max(pos) over (partition by project_id order by d) as position,
               lead(d) over (partition by project_id order by d) as next
          from days
      )
      select c.project_id, b.d as valid_from, b.next as valid_to, c.territory_id, c.contract_id, c.region_code,
             c.axis, c.title, c.budget_cents,
             case when c.abandoned_on <= b.d then 'abandoned' when c.completed_on <= b.d then 'completed'
                  when c.started_on <= b.d then 'started' else 'registered' end as status,
             c.registered_on,
             case when c.started_on <= b.d then c.started_on end as started_on,
             case when c.completed_on <= b.d then c.completed_on end as completed_on,
             case when c.abandoned_on <= b.d then c.abandoned_on end as abandoned_on,
             coalesce(f.n, 0)::integer as fundings, coalesce(f.cents, 0)::bigint as funding_cents, b.position
        from cur c join bounds b using (project_id)
        left join lateral (
          select count(*) as n, sum(amount_cents) as cents from ${s}.project_fundings g
           where g.project_id = c.project_id and greatest(g.valid_from, c.registered_on) <= b.d
        ) f on true`.execute(db);
    await sql`delete from ${s}.projects p using back_dated_projects b where p.project_id = b.project_id
               and exists (select 1 from back_dated_versions v where v.project_id = b.project_id)`.execute(db);
    await sql`
      insert into ${s}.projects (project_id, valid_from, valid_to, territory_id, contract_id, region_code, axis, title,
                                 budget_cents, status, registered_on, started_on, completed_on, abandoned_on,
                                 fundings, funding_cents, position)
      select project_id, valid_from, valid_to, territory_id, contract_id, region_code, axis, title,
             budget_cents, status, registered_on, started_on, completed_on, abandoned_on,
             fundings, funding_cents, position
        from back_dated_versions`.execute(db);
    await sql`drop table back_dated_versions`.execute(db);
    await sql`drop table back_dated_projects`.execute(db);
  }
}

export async function down(): Promise<void> {
  // the rewritten versions are what a rebuild writes: nothing to undo
}
