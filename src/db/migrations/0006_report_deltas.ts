import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
//
// Pre-aggregated figures for the as-of progress report: dated deltas per (metric, region, axis),
// so that "as of D" is a sum over a few thousand rows instead of a scan of every contract,
// project and funding. `report_deltas` has one row per day, `report_deltas_monthly` the same
// deltas per calendar month (keyed by its first day): "as of D" = the months before D's month
// plus the days of D's month up to D. A null region or axis is stored as ''.
// Filled from the existing read models here; kept up to date by the projections afterwards.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table read.report_deltas (
      day date not null,
      metric text not null,
      region_code text not null default '',
      axis text not null default '',
      delta bigint not null,
      primary key (day, metric, region_code, axis)
    )`.execute(db);
  await sql`
    create table read.report_deltas_monthly (
      month date not null,
      metric text not null,
      region_code text not null default '',
      axis text not null default '',
      delta bigint not null,
      primary key (month, metric, region_code, axis)
    )`.execute(db);
  await sql`
    create temp table report_deltas_fill as
    with c as (
      select coalesce(region_code, '') as r, drafted_on as d, submitted_on, validated_on, rejected_on, signed_on
        from read.contracts where valid_to is null and drafted_on is not null
    ), p as (
      select coalesce(region_code, '') as r, coalesce(axis, '') as a, registered_on, abandoned_on
        from read.projects where valid_to is null and registered_on is not null
         and (abandoned_on is null or abandoned_on > registered_on)
    )
    select 'contracts_drafted' as metric, r as region_code, '' as axis, d as day, 1::bigint as delta from c
    union all select 'contracts_submitted', r, '', greatest(d, submitted_on), 1 from c where submitted_on is not null
    union all select 'contracts_validated', r, '', greatest(d, validated_on), 1 from c where validated_on is not null
    union all select 'contracts_rejected', r, '', greatest(d, rejected_on), 1 from c where rejected_on is not null
    union all select 'contracts_signed', r, '', greatest(d, signed_on), 1 from c where signed_on is not null
    union all select 'projects', r, a, registered_on, 1 from p
    union all select 'projects', r, a, abandoned_on, -1 from p where abandoned_on is not null
    union all select 'funding_cents', '', '', valid_from, amount_cents from read.project_fundings`.execute(db);
  await sql`
    insert into read.report_deltas (day, metric, region_code, axis, delta)
    select day, metric, region_code, axis, sum(delta) from report_deltas_fill
     group by 1, 2, 3, 4 having sum(delta) <> 0`.execute(db);
  await sql`
    insert into read.report_deltas_monthly (month, metric, region_code, axis, delta)
    select date_trunc('month', day)::date, metric, region_code, axis, sum(delta) from report_deltas_fill
     group by 1, 2, 3, 4 having sum(delta) <> 0`.execute(db);
  await sql`drop table report_deltas_fill`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists read.report_deltas_monthly`.execute(db);
  await sql`drop table if exists read.report_deltas`.execute(db);
}
