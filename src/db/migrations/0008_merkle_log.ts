import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here; write a new migration to change the schema.
//
// The Merkle tree over the log (RFC 9162 §2.1, docs/adr/0008-merkle-log.md), in log order, one leaf
// per event: a cache to answer proofs fast, never trusted by the verifier (which recomputes the
// tree from the events). es.merkle_leaves holds each leaf's hash and names its event;
// es.merkle_nodes every complete subtree of 16 leaves or more (smaller ones are hashed from the
// leaves when a proof needs them: one row per event instead of three); es.merkle_state the size
// and where the tree stopped in the log. es.audit_checkpoints keeps every signed tree head, also
// appended to the witness files.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table es.merkle_nodes (
      level smallint not null,
      idx bigint not null,
      hash bytea not null,
      primary key (level, idx)
    )`.execute(db);
  await sql`
    create table es.merkle_leaves (
      idx bigint primary key,
      event_id uuid not null unique,
      stream_name text not null,
      revision bigint not null,
      position bigint not null,
      checkpoint text not null,
      hash bytea not null
    )`.execute(db);
  await sql`
    create table es.merkle_state (
      id boolean primary key default true check (id),
      size bigint not null,
      after_checkpoint text
    )`.execute(db);
  await sql`insert into es.merkle_state (size, after_checkpoint) values (0, null)`.execute(db);
  await sql`
    create table es.audit_checkpoints (
      size bigint primary key,
      root_hash text not null,
      last_position text,
      last_checkpoint text,
      created_at timestamptz not null,
      key_id text not null,
      signature text not null,
      body text not null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table es.audit_checkpoints, es.merkle_state, es.merkle_leaves, es.merkle_nodes`.execute(db);
}
