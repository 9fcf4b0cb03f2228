/**
 * The conventions of the OpenAPI document, applied to every operation when the document is built
 * (`transformObject` of @fastify/swagger), so a route added later complies without repeating them:
 *
 * - `operationId`: the route's own `schema.operationId` if it gives one, else the stable name of
 *   `OPERATIONS` below, else one derived from the method and path (`getFeedStream`). Generated
 *   clients name their methods after it: once published, an operationId does not change.
 * - `description`: the route's own, else the one of `OPERATIONS`, else built from the summary
 *   and what the operation takes (asOf, minPosition, Idempotency-Key...).
 * - every error response (4xx/5xx) is `application/problem+json` with the one shared `Problem`
 *   schema (`#/components/schemas/Problem`), as the server sends it; the refusals any route can
 *   answer are added when missing: 400 (an operation with parameters or a body: validation),
 *   401 (a secured operation), 413 and 415 (a body), 429 (the rate limit; not the probes) and
 *   503 (a fault of the database, or `minPosition` not reached).
 * - `security: []` on the open operations (the probes) so "no token needed" is said, not implied;
 * - every tag used is defined, with the descriptions of `TAGS` (a new tag gets a plain one).
 *
 * Responses that are not problems (e.g. the 503 of /readyz, a readiness report) keep their schema.
 */

type Json = Record<string, unknown>;

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The one problem document (RFC 9457) every error response refers to. */
export const ProblemComponent = {
  type: 'object',
  description: 'A problem document (RFC 9457): what went wrong, for people (title, detail) and programs (type, status)',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', description: 'a URI naming the kind of problem' },
    title: { type: 'string', description: "the HTTP status's name" },
    status: { type: 'integer', description: 'the HTTP status code' },
    detail: { type: 'string', description: 'what is wrong, in plain words' },
    instance: { type: 'string', description: 'the request path' },
    code: { type: 'string', description: 'a stable code of the refusal (domain rules)' },
    errors: {
      type: 'array',
      description: 'the fields refused (400): `body.x`, `query.y`, `headers.z`',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  additionalProperties: true,
} as const;

const TAGS: Record<string, string> = {
  ops: 'Probes for orchestrators and load balancers (no token).',
  territories: 'Territories of the programmes: labelling, perimeters (EPCIs), co-leads, renames, splits, withdrawals.',
  contracts: 'Contracts of reciprocal commitments: drafted and committed by territory leads, decided by the Region.',
  projects: 'Projects (fiches-actions) of the territories and the fundings granted to them.',
  reports: 'Reports computed from the projections, as of any business date (JSON or CSV).',
  nfi: "La Nouvelle France industrielle (2013–2016): the national plans, each Region of 2013's choices, SME leaders, roadmap and Usine du futur firms.",
  poles:
    'Pôles de compétitivité (2005–2026): labels, evaluations, performance contracts co-validated by the State and the Regions, FUI calls and projects.',
  audit: 'The audit trail, timelines, territories rebuilt from their streams, hash-chain verification.',
  applications:
    "A programme's call for applications (Territoires d'industrie phase 2): candidacies, selection after the call closes, labelling of the selected.",
};

const STATUS_TEXT: Record<string, string> = {
  '400': 'Bad request: a parameter, header or body field is not valid (the fields are named in `errors`)',
  '401': 'No valid bearer token (see the WWW-Authenticate header)',
  '403': "The token's roles, regions or territories do not allow this",
  '404': 'No such resource (or it did not exist on the `asOf` date)',
  '409': 'Refused by a business rule, or the stream moved on (retry)',
  '412': 'If-Match names a stale revision',
  '413': 'The body is too large',
  '415': 'The body is not application/json',
  '422': 'This Idempotency-Key was already used for another request',
  '429': 'Rate limit exceeded (see Retry-After)',
  '500': 'Unexpected error (logged)',
  '503': 'Service unavailable (a fault of the database, or minPosition not reached yet): retry later',
};

/** Stable operationIds and descriptions of the routes that predate the conventions. */
export const OPERATIONS: Record<string, { operationId: string; description?: string }> = {
  'GET /healthz': {
    operationId: 'getHealth',
    description: 'Liveness: answers 200 while the process runs. It reads nothing, so it never waits on the database.',
  },
  'GET /readyz': {
    operationId: 'getReadiness',
    description:
      'Readiness: 200 when the database answers and the projections have applied the whole log, 503 otherwise (with the same report).',
  },
  'GET /territories': { operationId: 'listTerritories' },
  'POST /territories': { operationId: 'labelTerritory' },
  'GET /territories/{id}': { operationId: 'getTerritory' },
  'POST /territories/{id}/perimeter-changes': { operationId: 'changeTerritoryPerimeter' },
  'POST /territories/{id}/renames': { operationId: 'renameTerritory' },
  'POST /territories/{id}/co-leads': { operationId: 'appointTerritoryCoLeads' },
  'POST /territories/{id}/withdrawal': { operationId: 'withdrawTerritory' },
  'POST /territories/{id}/splits': { operationId: 'splitTerritory' },
  'POST /territories/{id}/project-lead': { operationId: 'appointTerritoryProjectLead' },
  'POST /territories/{id}/succession': { operationId: 'linkTerritorySuccession' },
  'GET /contracts': { operationId: 'listContracts' },
  'POST /contracts': {
    operationId: 'draftContract',
    description:
      'Drafts a contract of reciprocal commitments for one of your territories. To be submitted it needs at least one commitment of each of an industrial, an EPCI, the Region and the State (see the README, "Contract rules").',
  },
  'GET /contracts/{id}': { operationId: 'getContract' },
  'POST /contracts/{id}/commitments': {
    operationId: 'makeCommitment',
    description:
      "Records a party's commitment on a contract that is a draft or sent back for changes. Its due date (dueOn) may not be before the date it is made (madeOn).",
  },
  'POST /contracts/{id}/commitments/{commitmentId}/amendments': { operationId: 'amendCommitment' },
  'POST /contracts/{id}/commitments/{commitmentId}/withdrawal': { operationId: 'withdrawCommitment' },
  'POST /contracts/{id}/submit': { operationId: 'submitContract' },
  'POST /contracts/{id}/sign': { operationId: 'signContract' },
  'POST /contracts/{id}/reopen': { operationId: 'reopenContract' },
  'POST /contracts/{id}/validate': { operationId: 'validateContract' },
  'POST /contracts/{id}/request-changes': { operationId: 'requestContractChanges' },
  'POST /contracts/{id}/reject': { operationId: 'rejectContract' },
  'GET /projects': { operationId: 'listProjects' },
  'POST /projects': { operationId: 'registerProject' },
  'GET /projects/{id}': { operationId: 'getProject' },
  'POST /projects/{id}/fundings': { operationId: 'grantProjectFunding' },
  'POST /projects/{id}/start': { operationId: 'startProject' },
  'POST /projects/{id}/complete': { operationId: 'completeProject' },
  'POST /projects/{id}/abandon': { operationId: 'abandonProject' },
  'GET /reports/progress': { operationId: 'getProgressReport' },
  'GET /audit/events': { operationId: 'listAuditEvents' },
  'GET /audit/territories/{id}/timeline': { operationId: 'getTerritoryTimeline' },
  'GET /audit/territories/{id}': { operationId: 'auditTerritory' },
  'GET /audit/verify': { operationId: 'verifyHashChains' },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** `GET /feed/{id}/stream` → `getFeedByIdStream`: the fallback for a route that names none. */
export function derivedOperationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith('{') ? `by-${s.slice(1, -1)}` : s))
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return [method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}

const isProblemSchema = (schema: unknown): boolean => {
  const props = (schema as { properties?: Json } | undefined)?.properties;
  return !!props && 'title' in props && 'status' in props && 'type' in props;
};

const problemResponse = (status: string) => ({
  description: STATUS_TEXT[status] ?? 'Error',
  content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

function describe(op: Json, method: string): string {
  const summary = typeof op.summary === 'string' ? op.summary.trim() : '';
  const params = (op.parameters as { name: string; in: string }[] | undefined) ?? [];
  const names = new Set(params.map((p) => p.name));
  const parts = [summary ? `${summary.replace(/\.$/, '')}.` : ''];
  if (method === 'post')
    parts.push(
      'A command: on success it answers the revision of the stream written (also the ETag) and the log position of its last event (pass it as `minPosition` to a read to see your write).',
      '`If-Match` with the ETag read refuses a stale write (412). `Idempotency-Key` makes retries safe: the same key with the same body answers the first answer again and writes nothing, with another body 422.',
    );
  if (names.has('asOf'))
    parts.push(
      '`asOf` (YYYY-MM-DD) answers as things stood at the end of that business date: the date a fact took effect governs, not the day it was recorded.',
    );
  if (names.has('minPosition'))
    parts.push('`minPosition` waits (at most 5 s) until the projections have applied that position, else 503.');
  if (names.has('limit') || names.has('after') || names.has('offset'))
    parts.push('Paged: see "Pagination" in the README.');
  return parts.filter(Boolean).join(' ');
}

/** Applies the conventions above to the document @fastify/swagger built (in place, and returns it). */
export function applyOpenApiConventions(doc: Json): Json {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const usedTags = new Set<string>();
  const usedIds = new Map<string, string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const known = OPERATIONS[`${method.toUpperCase()} ${path}`];
      op.operationId ??= known?.operationId ?? derivedOperationId(method, path);
      const id = op.operationId as string;
      const clash = usedIds.get(id);
      if (clash) throw new Error(`operationId ${id} is used by ${clash} and ${method.toUpperCase()} ${path}`);
      usedIds.set(id, `${method.toUpperCase()} ${path}`);
      op.description ??= known?.description ?? describe(op, method);
      for (const tag of (op.tags as string[] | undefined) ?? []) usedTags.add(tag);

      const secured = Array.isArray(op.security) && op.security.length > 0;
      if (!secured) op.security = [];
      const responses = (op.responses ?? {}) as Record<string, Json>;
      const params = (op.parameters as unknown[] | undefined) ?? [];
      const expected = new Set<string>();
      if (params.length > 0 || op.requestBody) expected.add('400');
      if (secured) expected.add('401');
      if (op.requestBody) ['413', '415'].forEach((s) => expected.add(s));
      if (!OPEN_PATHS.has(path)) ['429', '503'].forEach((s) => expected.add(s));
      for (const status of expected) if (!(status in responses)) responses[status] = {};
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        const content = response.content as Record<string, { schema?: unknown }> | undefined;
        const schema = content ? Object.values(content)[0]?.schema : undefined;
        if (schema !== undefined && !isProblemSchema(schema)) {
          // a documented non-problem answer (e.g. the readiness report): keep it, say what it is
          response.description ??= STATUS_TEXT[status] ?? 'Error';
          continue;
        }
        responses[status] = problemResponse(status);
      }
      op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  const components = (doc.components ?? {}) as Json;
  components.schemas = { ...(components.schemas ?? {}), Problem: ProblemComponent };
  doc.components = components;
  const declared = ((doc.tags as { name: string }[] | undefined) ?? []).map((t) => t.name);
  doc.tags = [
    ...((doc.tags as Json[] | undefined) ?? []),
    ...[...usedTags]
      .filter((t) => !declared.includes(t))
      .sort()
      .map((name) => ({ name, description: TAGS[name] ?? `Operations on ${name}.` })),
  ];
  return doc;
}
