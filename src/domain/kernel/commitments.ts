import { z } from 'zod';
import { AmountEur, EARLIEST_DATE, isCalendarDate, toCents, validationError } from './shared.ts';

/**
 * The mechanics of commitments and decisions that every programme's contracts share (Territoires
 * d'industrie's contracts, the pôles' performance contracts): amounts in cents, due dates, free
 * texts, the order of dates, and co-validation by several deciders. Pure.
 */

/** Integer cents, non-negative, below 1e12 euros. */
export const AmountCents = z.number().int().nonnegative().max(1e14);

/** Euros (at most two decimals) to cents; a 400 naming `field` otherwise. */
export function amountCents(field: string, eur: number): number {
  const r = AmountEur.safeParse(eur);
  if (!r.success) throw validationError(`${field} ${r.error.issues[0]?.message ?? 'is not a valid amount'}`, { field });
  return toCents(eur);
}

/** A due date: a real calendar day between `earliest` (the earliest record by default) and 2100. */
export function dueDate(field: string, date: string, earliest: string = EARLIEST_DATE): void {
  if (!isCalendarDate(date)) throw validationError(`${field} must be a real calendar date`, { field });
  if (date < earliest || date > '2100-12-31') throw validationError(`${field} ${date} is out of range`, { field });
}

/** A commitment cannot fall due before the date it is made. */
export function dueNotBeforeMade(dueOn: string, madeOn: string): void {
  if (dueOn < madeOn)
    throw validationError(`dueOn ${dueOn} is before the date the commitment is made (madeOn ${madeOn})`, {
      field: 'dueOn',
    });
}

/** A later change may not be dated before the aggregate's last recorded change. */
export function notBeforeLast(field: string, date: string, lastDate: string, what = 'contract'): void {
  if (date < lastDate)
    throw validationError(`${field} ${date} is before the ${what}'s last recorded change (${lastDate})`, { field });
}

/** An optional free text: trimmed, null when empty. */
export const text = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v.trim());

// ---- co-validation ------------------------------------------------------------------------------

/** One decider's decision on one submission. */
export interface CoDecision {
  /** Who decides: `state`, or `region:<code>`. */
  decider: string;
  submission: number;
  kind: 'validated' | 'refused';
}

/**
 * Co-validation: a submission is validated once every required decider has validated it; one
 * refusal sends it back (the next submission starts over). Returns the deciders still awaited on
 * `submission` (empty: validated), or 'refused' when one of them refused it.
 */
export function coValidation(
  required: readonly string[],
  decisions: readonly CoDecision[],
  submission: number,
): { refused: boolean; awaiting: string[] } {
  const mine = decisions.filter((d) => d.submission === submission);
  const refused = mine.some((d) => d.kind === 'refused');
  const validated = new Set(mine.filter((d) => d.kind === 'validated').map((d) => d.decider));
  return { refused, awaiting: required.filter((r) => !validated.has(r)) };
}

/** The decider key of a Region. */
export const regionDecider = (code: string) => `region:${code}`;
export const STATE_DECIDER = 'state';
