import { z } from 'zod';
import { HttpError } from './problem.ts';

/**
 * The one pagination convention of the API (README "Pagination"): `limit` and an opaque `cursor`
 * query parameter; every page answers `next`, the cursor of the next page, or null when there is
 * none. A cursor is only meant to be passed back as it was received: it is base64url text whose
 * content (an offset for the lists, a log position for the audit trail) may change.
 *
 * The older parameters stay accepted (deprecated aliases): `offset` on the lists, `after` (and the
 * answered `nextAfter`) on the audit trail.
 */
export const Cursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a cursor as answered in `next`')
  .optional()
  .describe('the `next` of the previous page (opaque); absent for the first page');

export const Next = z
  .string()
  .nullable()
  .describe('the cursor of the next page (pass it as `cursor`), or null on the last page');

export const DeprecatedOffset = (max: number) =>
  z.coerce
    .number()
    .int()
    .min(0)
    .max(max)
    .optional()
    .describe('deprecated alias: the number of items to skip (use `cursor`)');

type Kind = 'o' | 'a';

function encode(kind: Kind, value: string | number): string {
  return Buffer.from(`${kind}:${value}`, 'utf8').toString('base64url');
}

function decode(kind: Kind, cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^([a-z]):(\d{1,19})$/.exec(text);
  if (!m || m[1] !== kind)
    throw new HttpError(400, 'the cursor is not one this route answered', {
      errors: [{ field: 'querystring.cursor' }],
    });
  return m[2]!;
}

/** The offset a page starts at: from `cursor`, else the deprecated `offset`, else 0 (both: 400). */
export function offsetOf(q: { cursor?: string | undefined; offset?: number | undefined }, max = 1_000_000): number {
  if (q.cursor === undefined) return q.offset ?? 0;
  if (q.offset !== undefined)
    throw new HttpError(400, 'give `cursor` or `offset`, not both', { errors: [{ field: 'querystring.offset' }] });
  const n = Number(decode('o', q.cursor));
  if (n > max) throw new HttpError(400, 'the cursor is out of range', { errors: [{ field: 'querystring.cursor' }] });
  return n;
}

/** `next` of an offset-paged answer: the cursor after the items shown, null once `total` is reached. */
export function nextOffset(offset: number, shown: number, total: number): string | null {
  return shown > 0 && offset + shown < total ? encode('o', offset + shown) : null;
}

/** The log position to read after: from `cursor`, else the deprecated `after` (both: 400). */
export function afterOf(q: { cursor?: string | undefined; after?: string | undefined }): string | undefined {
  if (q.cursor === undefined) return q.after;
  if (q.after !== undefined)
    throw new HttpError(400, 'give `cursor` or `after`, not both', { errors: [{ field: 'querystring.after' }] });
  return decode('a', q.cursor);
}

/** `next` of a position-paged answer, from its `nextAfter`. */
export function nextAfterCursor(nextAfter: string | null): string | null {
  return nextAfter === null ? null : encode('a', nextAfter);
}
