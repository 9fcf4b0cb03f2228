import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here; write a new migration to change the schema.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists es`.execute(db);
  await sql`
    create table es.streams (
      stream_name text primary key,
      revision bigint not null,
      last_hash text not null
    )`.execute(db);
  await sql`
    create table es.events (
      position bigint generated always as identity primary key,
      transaction_id xid8 not null default pg_current_xact_id(),
      stream_name text not null,
      revision bigint not null,
      event_id uuid not null,
      type text not null,
      schema_version int not null,
      data jsonb not null,
      metadata jsonb not null,
      content_digest text not null,
      prev_hash text not null,
      hash text not null,
      recorded_at timestamptz not null,
      constraint events_event_id_key unique (event_id),
      constraint events_stream_revision_key unique (stream_name, revision)
    )`.execute(db);
  // Readers walk the log in (transaction_id, position) order below the oldest open transaction.
  await sql`create index events_tx_position_idx on es.events (transaction_id, position)`.execute(db);

  // One round trip per append: lock the stream row, check the expected revision and the chain's
  // previous hash, detect idempotent retries, insert every event in one statement.
  // p_expected: >= 0 an exact revision, -1 no stream, -2 any.
  await sql`
    create function es.append_events(
      p_stream text, p_expected bigint, p_prev_hash text,
      p_ids uuid[], p_types text[], p_versions int[], p_data jsonb[], p_meta jsonb[],
      p_digests text[], p_hashes text[], p_recorded timestamptz
    ) returns table (status text, revision bigint, last_position bigint, last_hash text)
    language plpgsql as $fn$
    declare
      v_rev bigint;
      v_hash text;
      v_n int := cardinality(p_ids);
      v_first_rev bigint;
      v_matches int;
      v_pos bigint;
    begin
      select s.revision, s.last_hash into v_rev, v_hash
        from es.streams s where s.stream_name = p_stream for update;
      if not found then
        insert into es.streams (stream_name, revision, last_hash) values (p_stream, -1, '')
          on conflict do nothing;
        select s.revision, s.last_hash into v_rev, v_hash
          from es.streams s where s.stream_name = p_stream for update;
      end if;

      -- an idempotent retry: the same ids, same content, consecutive in this stream
      select e.revision into v_first_rev from es.events e where e.event_id = p_ids[1];
      if found then
        select count(*), max(e.position) into v_matches, v_pos
          from unnest(p_ids, p_digests) with ordinality as u(id, digest, i)
          join es.events e on e.event_id = u.id
         where e.stream_name = p_stream and e.content_digest = u.digest
           and e.revision = v_first_rev + u.i - 1;
        if v_matches = v_n then
          return query select 'duplicate'::text, v_first_rev + v_n - 1, v_pos, ''::text;
        else
          return query select 'id_conflict'::text, v_rev, null::bigint, ''::text;
        end if;
        return;
      end if;

      if (p_expected = -1 and v_rev <> -1) or (p_expected >= 0 and v_rev <> p_expected) then
        return query select 'wrong_revision'::text, v_rev, null::bigint, v_hash;
        return;
      end if;
      if v_hash <> p_prev_hash then
        return query select 'stale_head'::text, v_rev, null::bigint, v_hash;
        return;
      end if;

      with ins as (
        insert into es.events (stream_name, revision, event_id, type, schema_version, data, metadata,
                               content_digest, prev_hash, hash, recorded_at)
        select p_stream, v_rev + u.i, u.id, u.t, u.v, u.d, u.m, u.dg,
               coalesce(p_hashes[u.i - 1], p_prev_hash), u.h, p_recorded
          from unnest(p_ids, p_types, p_versions, p_data, p_meta, p_digests, p_hashes)
               with ordinality as u(id, t, v, d, m, dg, h, i)
         order by u.i
        returning position
      )
      select max(ins.position) into v_pos from ins;

      update es.streams s set revision = v_rev + v_n, last_hash = p_hashes[v_n]
       where s.stream_name = p_stream;
      return query select 'ok'::text, v_rev + v_n, v_pos, p_hashes[v_n];
    end
    $fn$`.execute(db);

  // Group commit: several appends to distinct streams (each with its own outcome) in one statement,
  // one transaction, one WAL flush, set-based: one lock query, one id probe, one insert, one update.
  // Streams are locked in name order, so concurrent groups cannot deadlock. An append whose first
  // event id is already recorded (a retry or a clash) is decided by es.append_events.
  // p_app / p_k: for each event, its append (1-based) and its offset in it; p_last: for each append,
  // the index of its last event.
  await sql`
    create function es.append_many(
      p_streams text[], p_expected bigint[], p_prev_hashes text[], p_counts int[],
      p_ids uuid[], p_types text[], p_versions int[], p_data jsonb[], p_meta jsonb[],
      p_digests text[], p_hashes text[], p_app int[], p_k int[], p_last int[], p_recorded timestamptz
    ) returns table (idx int, status text, revision bigint, last_position bigint, last_hash text)
    language plpgsql as $fn$
    declare
      v_n int := cardinality(p_streams);
      v_rev bigint[];
      v_hash text[];
      v_seen int[];
      v_status text[];
      v_ins_streams text[];
      v_ins_pos bigint[];
      v_first int;
      r record;
    begin
      insert into es.streams (stream_name, revision, last_hash)
        select u.name, -1, '' from unnest(p_streams) u(name) order by u.name
        on conflict do nothing;
      select array_agg(h.revision order by h.i), array_agg(h.last_hash order by h.i) into v_rev, v_hash
        from (select u.i, s.revision, s.last_hash
                from unnest(p_streams) with ordinality u(name, i)
                join es.streams s on s.stream_name = u.name
               order by s.stream_name
                 for update of s) h;
      select coalesce(array_agg(u.a), '{}') into v_seen
        from unnest(p_ids, p_app, p_k) u(id, a, k)
       where u.k = 0 and exists (select 1 from es.events e where e.event_id = u.id);

      v_status := array_fill(null::text, array[v_n]);
      for i in 1 .. v_n loop
        if i = any(v_seen) then
          v_status[i] := 'seen';
        elsif (p_expected[i] = -1 and v_rev[i] <> -1) or (p_expected[i] >= 0 and v_rev[i] <> p_expected[i]) then
          v_status[i] := 'wrong_revision';
        elsif v_hash[i] <> p_prev_hashes[i] then
          v_status[i] := 'stale_head';
        else
          v_status[i] := 'ok';
        end if;
      end loop;

      with ins as (
        insert into es.events (stream_name, revision, event_id, type, schema_version, data, metadata,
                               content_digest, prev_hash, hash, recorded_at)
        select p_streams[u.a], v_rev[u.a] + 1 + u.k, u.id, u.t, u.v, u.d, u.m, u.dg,
               case when u.k = 0 then p_prev_hashes[u.a] else p_hashes[u.n - 1] end, u.h, p_recorded
          from unnest(p_ids, p_types, p_versions, p_data, p_meta, p_digests, p_hashes, p_app, p_k)
               with ordinality as u(id, t, v, d, m, dg, h, a, k, n)
         where v_status[u.a] = 'ok'
         order by u.n
        returning position, stream_name
      )
      select coalesce(array_agg(x.stream_name), '{}'), coalesce(array_agg(x.p), '{}')
        into v_ins_streams, v_ins_pos
        from (select ins.stream_name, max(ins.position) as p from ins group by ins.stream_name) x;

      update es.streams s set revision = v_rev[u.i] + p_counts[u.i], last_hash = p_hashes[p_last[u.i]]
        from unnest(p_streams) with ordinality u(name, i)
       where s.stream_name = u.name and v_status[u.i] = 'ok';

      for i in 1 .. v_n loop
        idx := i;
        if v_status[i] = 'seen' then
          v_first := p_last[i] - p_counts[i] + 1;
          select * into r from es.append_events(p_streams[i], p_expected[i], p_prev_hashes[i],
            p_ids[v_first : p_last[i]], p_types[v_first : p_last[i]], p_versions[v_first : p_last[i]],
            p_data[v_first : p_last[i]], p_meta[v_first : p_last[i]], p_digests[v_first : p_last[i]],
            p_hashes[v_first : p_last[i]], p_recorded);
          status := r.status;
          revision := r.revision;
          last_position := r.last_position;
          last_hash := r.last_hash;
        elsif v_status[i] = 'ok' then
          status := 'ok';
          revision := v_rev[i] + p_counts[i];
          last_position := v_ins_pos[array_position(v_ins_streams, p_streams[i])];
          last_hash := p_hashes[p_last[i]];
        else
          status := v_status[i];
          revision := v_rev[i];
          last_position := null;
          last_hash := v_hash[i];
        end if;
        return next;
      end loop;
    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema es cascade`.execute(db);
}
