import type { ProjectFundingsTable, ProjectsTable } from '../../db/database.ts';
import type { ProjectEventOf } from '../../domain/territoires-industrie/project/project.ts';
import type { Db, Projection, ProjectedEvent, ProjectionContext } from '../types.ts';
import { ReportDeltas } from '../reports/deltas.ts';
import { insertFacts, VersionedTable } from '../versioned.ts';

/**
 * read.projects (one row per version over business time) and read.project_fundings (one
 * immutable row per grant). Milestone dates keep the first date each was reached.
 *
 * Every version is the fold of the project's facts dated on or before its start, whatever the
 * order they were recorded in: `fundings` and `funding_cents` of a version are the count and sum
 * of the grants dated on or before its `valid_from` (a grant recorded after later facts splits the
 * version its date falls in and counts in every later one), and its status is that of the
 * lifecycle steps dated on or before it. The patches below are functions of the version they
 * change, since a back-dated fact is applied to each later version.
 */
type ProjectEventType = ProjectEventOf<any>['type'];
type Data<T extends ProjectEventType> = ProjectEventOf<T>['data'];

type ProjectRow = {
  [K in keyof ProjectsTable]: K extends 'funding_cents' | 'position' | 'budget_cents' ? string : ProjectsTable[K];
};
type FundingRow = {
  [K in keyof ProjectFundingsTable]: K extends 'position' | 'amount_cents' ? string : ProjectFundingsTable[K];
};

const PROJECT_COLUMNS: (keyof ProjectRow)[] = [
  'project_id',
  'valid_from',
  'valid_to',
  'territory_id',
  'contract_id',
  'region_code',
  'axis',
  'title',
  'budget_cents',
  'status',
  'registered_on',
  'started_on',
  'completed_on',
  'abandoned_on',
  'fundings',
  'funding_cents',
  'position',
];

export const PROJECT_EVENT_TYPES = [
  'ProjectRegistered',
  'ProjectFundingGranted',
  'ProjectStarted',
  'ProjectCompleted',
  'ProjectAbandoned',
] as const satisfies readonly ProjectEventType[];

async function applyProjects(db: Db, events: ProjectedEvent[], ctx: ProjectionContext): Promise<void> {
  if (events.length === 0) return;
  // a funding (or a lifecycle step) may be recorded after facts dated later: inserted where its
  // business date falls, so that every version holds the facts dated on or before its start
  const projects = new VersionedTable<ProjectRow>(ctx, 'projects', ['project_id'], PROJECT_COLUMNS, {
    backDated: 'insert',
  });
  await projects.load(
    db,
    events.map((e) => String(e.data.projectId)),
  );
  await projects.loadBackDated(
    db,
    events
      .filter((e) => e.type !== 'ProjectRegistered')
      .map((e) => ({ id: String(e.data.projectId), date: e.occurredOn })),
  );
  // the progress report's projects and funding follow each change of a project's current version
  const deltas = new ReportDeltas();
  projects.observe((before, after) => {
    if (before) deltas.project(before, -1);
    deltas.project(after, 1);
  });
  const fundings: FundingRow[] = [];
  for (const e of events) {
    const position = e.recorded.position.toString();
    const date = e.occurredOn;
    const key = { project_id: String(e.data.projectId) };
    switch (e.type as ProjectEventType) {
      case 'ProjectRegistered': {
        const d = e.data as Data<'ProjectRegistered'>;
        projects.create({
          project_id: d.projectId,
          valid_from: date,
          valid_to: null,
          territory_id: d.territoryId,
          contract_id: d.contractId,
          region_code: d.regionCode,
          axis: d.axis,
          title: d.title,
          budget_cents: String(d.budgetCents),
          status: 'registered',
          registered_on: date,
          started_on: null,
          completed_on: null,
          abandoned_on: null,
          fundings: 0,
          funding_cents: '0',
          position,
        });
        break;
      }
      case 'ProjectFundingGranted': {
        const d = e.data as Data<'ProjectFundingGranted'>;
        const p = projects.change(key, date, position, (cur) => ({
          fundings: cur.fundings + 1,
          funding_cents: (BigInt(cur.funding_cents) + BigInt(d.amountCents)).toString(),
        }));
        fundings.push({
          position,
          project_id: d.projectId,
          funding_id: d.fundingId,
          territory_id: d.territoryId,
          region_code: p?.region_code ?? null,
          source: d.source,
          amount_cents: String(d.amountCents),
          valid_from: date,
          valid_to: null,
        });
        deltas.add('funding_cents', null, null, date, Number(d.amountCents));
        break;
      }
      case 'ProjectStarted':
        projects.change(key, date, position, (cur) => ({ status: 'started', started_on: cur.started_on ?? date }));
        break;
      case 'ProjectCompleted':
        projects.change(key, date, position, (cur) => ({
          status: 'completed',
          completed_on: cur.completed_on ?? date,
        }));
        break;
      case 'ProjectAbandoned':
        projects.change(key, date, position, (cur) => ({
          status: 'abandoned',
          abandoned_on: cur.abandoned_on ?? date,
        }));
        break;
      default:
        break;
    }
  }
  await projects.flush(db);
  await insertFacts(db, ctx, 'project_fundings', fundings);
  await deltas.flush(db, ctx);
}

export const projectsProjection: Projection = {
  name: 'projects',
  handles: new Set<string>(PROJECT_EVENT_TYPES),
  apply: (db, event, ctx) => applyProjects(db, [event], ctx),
  applyBatch: applyProjects,
};
