import type { NfiPlanChoicesTable, NfiRoadmapsTable, NfiUsineDuFuturTable } from '../../db/database.ts';
import type { PrioritiesEventOf } from '../../domain/nouvelle-france-industrielle/priorities/priorities.ts';
import { idOf } from '../../eventstore/streams.ts';
import type { Db, Projection, ProjectedEvent, ProjectionContext } from '../types.ts';
import { insertFacts, VersionedTable } from '../versioned.ts';

/**
 * A Region's priorities in La Nouvelle France industrielle (one read model, three tables):
 * read.nfi_plan_choices (one row per version of each choice: rank, status, its SME leader),
 * read.nfi_roadmaps (one row per version of each Region's roadmap: due, submitted, late,
 * accepted, sent back), read.nfi_usine_du_futur (one immutable row per firm selected).
 */
type EventType = PrioritiesEventOf<any>['type'];
type Data<T extends EventType> = PrioritiesEventOf<T>['data'];

type Str<T, K extends keyof T> = { [P in keyof T]: P extends K ? string : T[P] };
type ChoiceRow = Str<NfiPlanChoicesTable, 'position'>;
type RoadmapRow = Str<NfiRoadmapsTable, 'position'>;
type FirmRow = Str<NfiUsineDuFuturTable, 'position'>;

const CHOICE_COLUMNS: (keyof ChoiceRow)[] = [
  'region_code',
  'plan_id',
  'valid_from',
  'valid_to',
  'programme',
  'plan_name',
  'rank',
  'status',
  'chosen_on',
  'withdrawn_on',
  'lead_person',
  'lead_company',
  'lead_siren',
  'lead_appointed_on',
  'synthetic',
  'position',
];
const ROADMAP_COLUMNS: (keyof RoadmapRow)[] = [
  'region_code',
  'valid_from',
  'valid_to',
  'programme',
  'mandated_on',
  'due_on',
  'status',
  'submitted_on',
  'late',
  'accepted_on',
  'sent_back_on',
  'sent_back_reason',
  'position',
];

export const NFI_PRIORITIES_EVENT_TYPES = [
  'RegionMandated',
  'PlanChosen',
  'PlanChoiceWithdrawn',
  'RegionalPlanLeadAppointed',
  'RoadmapSubmitted',
  'RoadmapAccepted',
  'RoadmapSentBack',
  'CompanySelectedForUsineDuFutur',
] as const satisfies readonly EventType[];

/** `priorities-<region>@<programme>` (ADR 0012). */
const programmeOf = (e: ProjectedEvent) => idOf(e.recorded.stream).split('@')[1] ?? 'nouvelle-france-industrielle-2013';

async function applyPriorities(db: Db, events: ProjectedEvent[], ctx: ProjectionContext): Promise<void> {
  if (events.length === 0) return;
  const choices = new VersionedTable<ChoiceRow>(ctx, 'nfi_plan_choices', ['region_code', 'plan_id'], CHOICE_COLUMNS);
  const roadmaps = new VersionedTable<RoadmapRow>(ctx, 'nfi_roadmaps', ['region_code'], ROADMAP_COLUMNS);
  const regions = [...new Set(events.map((e) => String(e.data.regionCode)))];
  await Promise.all([choices.load(db, regions), roadmaps.load(db, regions)]);
  const firms: FirmRow[] = [];
  for (const e of events) {
    const position = e.recorded.position.toString();
    const date = e.occurredOn;
    const region = String(e.data.regionCode);
    switch (e.type as EventType) {
      case 'RegionMandated': {
        const d = e.data as Data<'RegionMandated'>;
        roadmaps.create({
          region_code: d.regionCode,
          valid_from: date,
          valid_to: null,
          programme: programmeOf(e),
          mandated_on: d.mandatedOn,
          due_on: d.roadmapDueOn,
          status: 'due',
          submitted_on: null,
          late: false,
          accepted_on: null,
          sent_back_on: null,
          sent_back_reason: null,
          position,
        });
        break;
      }
      case 'PlanChosen': {
        const d = e.data as Data<'PlanChosen'>;
        const key = { region_code: region, plan_id: d.planId };
        const row = {
          programme: programmeOf(e),
          plan_name: d.planName,
          rank: d.rank,
          status: 'chosen',
          chosen_on: d.chosenOn,
          withdrawn_on: null,
          lead_person: null,
          lead_company: null,
          lead_siren: null,
          lead_appointed_on: null,
          synthetic: d.synthetic === true,
        };
        // chosen again after a withdrawal: a new version of the same row
        if (!choices.change(key, date, position, row))
          choices.create({ ...key, ...row, valid_from: date, valid_to: null, position });
        break;
      }
      case 'PlanChoiceWithdrawn': {
        const d = e.data as Data<'PlanChoiceWithdrawn'>;
        choices.change({ region_code: region, plan_id: d.planId }, date, position, {
          status: 'withdrawn',
          withdrawn_on: d.withdrawnOn,
        });
        break;
      }
      case 'RegionalPlanLeadAppointed': {
        const d = e.data as Data<'RegionalPlanLeadAppointed'>;
        choices.change({ region_code: region, plan_id: d.planId }, date, position, {
          lead_person: d.person,
          lead_company: d.company,
          lead_siren: d.siren,
          lead_appointed_on: d.appointedOn,
        });
        break;
      }
      case 'RoadmapSubmitted': {
        const d = e.data as Data<'RoadmapSubmitted'>;
        roadmaps.change({ region_code: region }, date, position, {
          status: 'submitted',
          submitted_on: d.submittedOn,
          late: d.late,
          accepted_on: null,
        });
        break;
      }
      case 'RoadmapAccepted': {
        const d = e.data as Data<'RoadmapAccepted'>;
        roadmaps.change({ region_code: region }, date, position, { status: 'accepted', accepted_on: d.acceptedOn });
        break;
      }
      case 'RoadmapSentBack': {
        const d = e.data as Data<'RoadmapSentBack'>;
        roadmaps.change({ region_code: region }, date, position, {
          status: 'sent_back',
          sent_back_on: d.sentBackOn,
          sent_back_reason: d.reason,
        });
        break;
      }
      case 'CompanySelectedForUsineDuFutur': {
        const d = e.data as Data<'CompanySelectedForUsineDuFutur'>;
        firms.push({
          position,
          programme: programmeOf(e),
          region_code: region,
          siren: d.siren,
          name: d.name,
          size: d.size,
          selected_on: d.selectedOn,
          synthetic: d.synthetic === true,
        });
        break;
      }
      default:
        break;
    }
  }
  await choices.flush(db);
  await roadmaps.flush(db);
  await insertFacts(db, ctx, 'nfi_usine_du_futur', firms);
}

export const nfiPrioritiesProjection: Projection = {
  name: 'nfi_priorities',
  handles: new Set<string>(NFI_PRIORITIES_EVENT_TYPES),
  apply: (db, event, ctx) => applyPriorities(db, [event], ctx),
  applyBatch: applyPriorities,
};
