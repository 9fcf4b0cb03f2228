import { sql, type Kysely } from 'kysely';
import type { Dependencies } from '../application/commandHandler.ts';
import { loadAggregate } from '../application/commandHandler.ts';
import type { Database } from '../db/database.ts';
import { contractDecider, type Contract } from '../domain/territoires-industrie/contract/index.ts';
import { contractStream } from '../eventstore/streams.ts';

/**
 * The decisions waiting for a validator: today the contracts submitted to a Region and not decided
 * yet (`kind: 'contract_validation'`). Other kinds (the pôles' co-validations) join the same list
 * with their own `kind` and the same fields.
 *
 * The list, its order and its total come from the read models (read.contracts' current rows with
 * status `submitted`, the latest `submitted` row of read.contract_decisions for the date of the
 * current submission). What changed since the contract was last sent back comes from the
 * contract's event stream, which also drops an item the projections still show as pending but
 * whose stream has moved on (a decision taken a moment ago).
 */
export const PENDING_KINDS = ['contract_validation'] as const;
export type PendingKind = (typeof PENDING_KINDS)[number];

export interface CommitmentChange {
  commitmentId: string;
  partyKind: string;
  partyName: string;
  on: string;
  amountEur: number;
  /** amended: the amount before the amendment; withdrawn: the amount withdrawn. */
  previousAmountEur: number | null;
  /** amended: the terms that changed. */
  fields: string[];
  reason: string | null;
}

export interface PendingItem {
  kind: PendingKind;
  id: string;
  href: string;
  territoryId: string;
  territoryName: string | null;
  regionCode: string;
  title: string;
  submission: number;
  submittedOn: string;
  waitingDays: number;
  commitments: number;
  totalEur: number;
  /** The last time the contract was sent back (changes requested, or reopened after validation). */
  sentBack: { kind: 'changes_requested' | 'reopened'; on: string; reason: string | null } | null;
  /** Commitment changes recorded since `sentBack` (all null on a first submission). */
  changes: { added: CommitmentChange[]; amended: CommitmentChange[]; withdrawn: CommitmentChange[] } | null;
  revision: number;
  position: string;
}

const TERMS = ['partyKind', 'partyName', 'partySiren', 'axis', 'description', 'amountCents', 'dueOn'] as const;
const eur = (cents: number) => cents / 100;

type Terms = Record<(typeof TERMS)[number], unknown>;

/** Folds a contract's stream into its state and the commitment changes since it was last sent back. */
export async function contractChanges(
  deps: Dependencies,
  contractId: string,
): Promise<{
  state: Contract;
  revision: bigint;
  sentBack: PendingItem['sentBack'];
  changes: PendingItem['changes'];
}> {
  const loaded = await loadAggregate(deps, contractStream(contractId), contractDecider);
  const terms = new Map<string, Terms>();
  let sentBack: PendingItem['sentBack'] = null;
  let changes: NonNullable<PendingItem['changes']> = { added: [], amended: [], withdrawn: [] };
  for (const recorded of loaded.events) {
    const { type, data } = deps.registry.upcast(recorded.type, recorded.schemaVersion, recorded.data) as {
      type: string;
      data: Record<string, unknown>;
    };
    const id = String(data.commitmentId);
    const before = terms.get(id);
    const change = (t: Terms, on: unknown, extra: Partial<CommitmentChange> = {}): CommitmentChange => ({
      commitmentId: id,
      partyKind: String(t.partyKind),
      partyName: String(t.partyName),
      on: String(on),
      amountEur: eur(Number(t.amountCents)),
      previousAmountEur: null,
      fields: [],
      reason: typeof data.reason === 'string' ? data.reason : null,
      ...extra,
    });
    switch (type) {
      case 'ContractChangesRequestedByRegion':
      case 'ContractReopened':
        sentBack = {
          kind: type === 'ContractReopened' ? 'reopened' : 'changes_requested',
          on: String(type === 'ContractReopened' ? data.reopenedOn : data.decidedOn),
          reason: typeof data.reason === 'string' ? data.reason : null,
        };
        changes = { added: [], amended: [], withdrawn: [] };
        break;
      case 'CommitmentMade':
        terms.set(id, data as Terms);
        changes.added.push(change(data as Terms, data.madeOn, { reason: null }));
        break;
      case 'CommitmentAmended': {
        terms.set(id, data as Terms);
        const fields = before ? TERMS.filter((k) => (before[k] ?? null) !== (data[k] ?? null)) : [];
        const added = changes.added.find((c) => c.commitmentId === id);
        // a commitment made and amended since the contract was sent back is still "added"
        if (added) Object.assign(added, change(data as Terms, added.on, { reason: null }));
        else
          changes.amended.push(
            change(data as Terms, data.amendedOn, {
              previousAmountEur: before ? eur(Number(before.amountCents)) : null,
              fields: fields.map((f) => (f === 'amountCents' ? 'amountEur' : f)),
            }),
          );
        break;
      }
      case 'CommitmentWithdrawn': {
        const t = before ?? ({} as Terms);
        const added = changes.added.findIndex((c) => c.commitmentId === id);
        // made then withdrawn since: nothing the validator has to look at
        if (added >= 0) changes.added.splice(added, 1);
        else {
          changes.amended = changes.amended.filter((c) => c.commitmentId !== id);
          changes.withdrawn.push(
            change(t, data.withdrawnOn, { amountEur: 0, previousAmountEur: eur(Number(t.amountCents ?? 0)) }),
          );
        }
        break;
      }
      default:
        break;
    }
  }
  return { state: loaded.state, revision: loaded.revision, sentBack, changes: sentBack ? changes : null };
}

export interface PendingQuery {
  /** Regions to list; undefined: every Region. */
  regions: string[] | undefined;
  limit: number;
  offset: number;
  today: string;
}

const days = (from: string, to: string) =>
  Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000));

export async function listPendingDecisions(
  db: Kysely<Database>,
  deps: Dependencies,
  q: PendingQuery,
): Promise<{ items: PendingItem[]; total: number; limit: number; offset: number }> {
  if (q.regions !== undefined && q.regions.length === 0)
    return { items: [], total: 0, limit: q.limit, offset: q.offset };
  const regionFilter =
    q.regions === undefined ? sql`true` : sql`coalesce(t.region_code, c.region_code) = any(${q.regions}::text[])`;
  // contracts are phase 1's; a territory's id is unique within its programme only (ADR 0007)
  const from = sql`
    from read.contracts c
    left join read.territories t
      on t.programme = 'territoires-industrie-2018' and t.territory_id = c.territory_id and t.valid_to is null
    where c.valid_to is null and c.status = 'submitted' and ${regionFilter}`;
  const [rows, total] = await Promise.all([
    sql<{
      contract_id: string;
      territory_id: string;
      territory_name: string | null;
      region_code: string;
      title: string;
      submitted_on: string;
      submitted_position: string;
    }>`
      select c.contract_id, c.territory_id, t.name as territory_name,
             coalesce(t.region_code, c.region_code) as region_code, c.title,
             coalesce(s.valid_from, c.submitted_on)::text as submitted_on,
             coalesce(s.position, c.position)::text as submitted_position
      from read.contracts c
      left join read.territories t
      on t.programme = 'territoires-industrie-2018' and t.territory_id = c.territory_id and t.valid_to is null
      left join lateral (
        select d.valid_from, d.position from read.contract_decisions d
         where d.contract_id = c.contract_id and d.decision = 'submitted'
         order by d.position desc limit 1) s on true
      where c.valid_to is null and c.status = 'submitted' and ${regionFilter}
      order by 6, 7, c.contract_id
      limit ${q.limit} offset ${q.offset}`.execute(db),
    sql<{ n: string }>`select count(*)::text as n ${from}`.execute(db),
  ]);
  // the streams of a page, a few at a time
  const loaded: Awaited<ReturnType<typeof contractChanges>>[] = [];
  for (let i = 0; i < rows.rows.length; i += 8)
    loaded.push(...(await Promise.all(rows.rows.slice(i, i + 8).map((r) => contractChanges(deps, r.contract_id)))));
  const items: PendingItem[] = [];
  for (const [i, r] of rows.rows.entries()) {
    const c = loaded[i]!;
    // the projections lag the stream: a contract decided a moment ago is no longer pending
    if (c.state.status !== 'Submitted') continue;
    const s = c.state;
    items.push({
      kind: 'contract_validation',
      id: r.contract_id,
      href: `/contracts/${r.contract_id}`,
      territoryId: r.territory_id,
      territoryName: r.territory_name,
      regionCode: r.region_code,
      title: s.title,
      submission: s.submissions,
      submittedOn: s.submittedOn,
      waitingDays: days(s.submittedOn, q.today),
      commitments: s.commitments.length,
      totalEur: eur(s.commitments.reduce((sum, x) => sum + x.amountCents, 0)),
      sentBack: c.sentBack,
      changes: c.changes,
      revision: Number(c.revision),
      position: r.submitted_position,
    });
  }
  return { items, total: Number(total.rows[0]?.n ?? 0), limit: q.limit, offset: q.offset };
}
