import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here; write a new migration to change the schema.
//
// Group commit without the stream lock round: es.append_batch checks each stream head with one
// compare-and-set statement (UPDATE ... WHERE revision = expected AND last_hash = prev, or an
// upsert for 'no_stream'/'any'), which takes the row lock and moves the head at once, then inserts
// the events of the appends whose head check passed. The event-id probe runs only for an append
// whose head check failed (an idempotent retry finds its stream moved on by itself); an id reused
// by an append whose check passed fails the statement on the unique index, and the caller then
// runs each append alone through es.append_events (which tells a retry from a clash).
// Measured inside the server (a DO loop timing each statement, groups of 8 single-event appends on
// 64 hot streams): ~85 µs of PostgreSQL time per event for es.append_many,
// ~35 µs for this function; most of the difference is the lock + update pair on es.streams.
// es.streams gets a low fillfactor: its rows are updated at every append, and room on the page
// keeps those updates HOT and cheap (3x cheaper on hot streams).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table es.streams set (fillfactor = 20)`.execute(db);
  await sql`
    create function es.append_batch(
      p_streams text[], p_expected bigint[], p_prev_hashes text[], p_counts int[],
      p_ids uuid[], p_types text[], p_versions int[], p_data jsonb[], p_meta jsonb[],
      p_digests text[], p_hashes text[], p_app int[], p_k int[], p_last int[], p_recorded timestamptz
    ) returns table (idx int, status text, revision bigint, last_position bigint, last_hash text)
    language plpgsql as $fn$
    declare
      v_n int := cardinality(p_streams);
      v_base bigint[] := array_fill(null::bigint, array[v_n]);
      v_is int[];
      v_bases bigint[];
      v_ins_streams text[];
      v_ins_pos bigint[];
      v_first int;
      r record;
    begin
      -- 1. compare-and-set of each head; p_streams is sorted by the caller (one lock order)
      with u as (
        select * from unnest(p_streams, p_expected, p_prev_hashes, p_counts, p_last)
          with ordinality u(name, exp, prev, cnt, last, i)
      ), moved as (
        update es.streams s set revision = s.revision + u.cnt, last_hash = p_hashes[u.last]
          from u
         where u.exp >= 0 and s.stream_name = u.name and s.revision = u.exp and s.last_hash = u.prev
        returning u.i::int as i, s.revision - u.cnt as base
      ), created as (
        insert into es.streams as s (stream_name, revision, last_hash)
        select u.name, u.cnt - 1, p_hashes[u.last] from u where u.exp < 0 order by u.name
        on conflict (stream_name) do update
          set revision = s.revision + excluded.revision + 1, last_hash = excluded.last_hash
          where s.last_hash = p_prev_hashes[array_position(p_streams, s.stream_name)]
            and (s.revision = -1 or p_expected[array_position(p_streams, s.stream_name)] = -2)
        returning array_position(p_streams, s.stream_name) as i,
                  s.revision - p_counts[array_position(p_streams, s.stream_name)] as base
      )
      select coalesce(array_agg(x.i), '{}'), coalesce(array_agg(x.base), '{}') into v_is, v_bases
        from (select * from moved union all select * from created) x;
      for j in 1 .. coalesce(cardinality(v_is), 0) loop
        -- a new stream chains from '': a remembered head for a stream that does not exist is stale
        if v_bases[j] = -1 and p_prev_hashes[v_is[j]] <> '' then
          raise exception 'stale head for new stream %', p_streams[v_is[j]] using errcode = 'P0001';
        end if;
        v_base[v_is[j]] := v_bases[j];
      end loop;

      -- 2. the events of the appends whose head moved
      with ins as (
        insert into es.events (stream_name, revision, event_id, type, schema_version, data, metadata,
                               content_digest, prev_hash, hash, recorded_at)
        select p_streams[u.a], v_base[u.a] + 1 + u.k, u.id, u.t, u.v, u.d, u.m, u.dg,
               case when u.k = 0 then p_prev_hashes[u.a] else p_hashes[u.n - 1] end, u.h, p_recorded
          from unnest(p_ids, p_types, p_versions, p_data, p_meta, p_digests, p_hashes, p_app, p_k)
               with ordinality as u(id, t, v, d, m, dg, h, a, k, n)
         where v_base[u.a] is not null
         order by u.n
        returning position, stream_name
      )
      select coalesce(array_agg(x.stream_name), '{}'), coalesce(array_agg(x.p), '{}')
        into v_ins_streams, v_ins_pos
        from (select ins.stream_name, max(ins.position) as p from ins group by ins.stream_name) x;

      -- 3. each append's outcome; a failed head check is a retry, a clash, or a wrong/stale head
      for i in 1 .. v_n loop
        idx := i;
        if v_base[i] is not null then
          status := 'ok';
          revision := v_base[i] + p_counts[i];
          last_position := v_ins_pos[array_position(v_ins_streams, p_streams[i])];
          last_hash := p_hashes[p_last[i]];
        else
          v_first := p_last[i] - p_counts[i] + 1;
          if exists (select 1 from es.events e where e.event_id = p_ids[v_first]) then
            select * into r from es.append_events(p_streams[i], p_expected[i], p_prev_hashes[i],
              p_ids[v_first : p_last[i]], p_types[v_first : p_last[i]], p_versions[v_first : p_last[i]],
              p_data[v_first : p_last[i]], p_meta[v_first : p_last[i]], p_digests[v_first : p_last[i]],
              p_hashes[v_first : p_last[i]], p_recorded);
            status := r.status;
            revision := r.revision;
            last_position := r.last_position;
            last_hash := r.last_hash;
          else
            select s.revision, s.last_hash into revision, last_hash
              from es.streams s where s.stream_name = p_streams[i];
            if not found then
              revision := -1;
              last_hash := '';
            end if;
            status := case
              when (p_expected[i] = -1 and revision <> -1) or (p_expected[i] >= 0 and revision <> p_expected[i])
                then 'wrong_revision' else 'stale_head' end;
            last_position := null;
          end if;
        end if;
        return next;
      end loop;
    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function es.append_batch`.execute(db);
  await sql`alter table es.streams reset (fillfactor)`.execute(db);
}
