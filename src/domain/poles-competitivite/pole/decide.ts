import { notBeforeLast } from '../../kernel/commitments.ts';
import { isKnownRegion } from '../../kernel/regions.ts';
import {
  assertInProgramme,
  assertNever,
  conflict,
  notFound,
  validationError,
  type Command,
  type CommandMetadata,
} from '../../kernel/shared.ts';
import { labelOn, type Pole, type PoleCategory, type PoleEvent, type Rating } from './pole.ts';

/** Pôle commands and `decide`. Pure. */

interface LabelTerms {
  phase: number;
  /** Phases 1–3 only. */
  category?: PoleCategory | null | undefined;
  endsOn: string;
  probationMonths?: number | null | undefined;
}

export type LabelPole = Command<
  'LabelPole',
  {
    poleId: string;
    name: string;
    theme: string;
    mainRegion: string;
    otherRegions?: string[] | undefined;
    labelledOn: string;
    mergedFrom?: string[] | undefined;
    synthetic?: boolean | undefined;
  } & LabelTerms
>;
export type RenewPoleLabel = Command<'RenewPoleLabel', { poleId: string; renewedOn: string } & LabelTerms>;
export type EndPoleProbation = Command<
  'EndPoleProbation',
  { poleId: string; outcome: 'kept' | 'delabelled'; endedOn: string }
>;
export type DelabelPole = Command<'DelabelPole', { poleId: string; delabelledOn: string; reason: string }>;
/** Recorded in each merged pôle's stream (the shell labels `into` first). */
export type MergePole = Command<'MergePole', { poleId: string; into: string; mergedWith: string[]; mergedOn: string }>;
export type EvaluatePole = Command<
  'EvaluatePole',
  { poleId: string; campaign: 2008 | 2012; rating: Rating; evaluatedOn: string }
>;
export type ChangePoleCategory = Command<
  'ChangePoleCategory',
  { poleId: string; category: PoleCategory; changedOn: string }
>;

export type PoleCommand =
  LabelPole | RenewPoleLabel | EndPoleProbation | DelabelPole | MergePole | EvaluatePole | ChangePoleCategory;

export const RATINGS: Record<2008 | 2012, readonly Rating[]> = {
  2008: ['met', 'partly_met', 'to_reconfigure'],
  2012: ['tres_performant', 'performant', 'moins_performant'],
};

function active(state: Pole, id: string): Exclude<Pole, { status: 'Unknown' }> {
  if (state.status === 'Unknown') throw notFound(`pôle ${id} does not exist`);
  if (state.status === 'Closed')
    throw conflict(
      `pôle ${id} was ${state.closedBy === 'merged' ? `merged into ${state.mergedInto}` : 'delabelled'} on ${state.closedOn}: it takes no new decision`,
      { rule: 'pole-closed', closedOn: state.closedOn },
    );
  return state;
}

function terms(t: LabelTerms, startsOn: string, m: CommandMetadata) {
  if (t.phase >= 4 && t.category)
    throw validationError(
      'category: pôles have a category (mondial, à vocation mondiale, national) in phases 1–3 only',
      {
        field: 'category',
        rule: 'category-phases-1-3',
      },
    );
  if (t.phase <= 3 && !t.category)
    throw validationError('category: a label of phases 1–3 names its category', { field: 'category' });
  assertInProgramme('endsOn', t.endsOn, { ...m, today: '2100-12-31' });
  if (t.endsOn <= startsOn)
    throw validationError(`endsOn ${t.endsOn} is not after the label's start (${startsOn})`, { field: 'endsOn' });
  const probationMonths = t.probationMonths ?? null;
  if (probationMonths !== null && addMonths(startsOn, probationMonths) > t.endsOn)
    throw validationError(
      `probationMonths: a probation of ${probationMonths} months ends after the label (${t.endsOn})`,
      {
        field: 'probationMonths',
        rule: 'probation-before-label-end',
      },
    );
  return { phase: t.phase, category: t.category ?? null, endsOn: t.endsOn, probationMonths };
}

export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1 + months, d));
  return dt.toISOString().slice(0, 10);
}

function regions(main: string, others: readonly string[], on: string) {
  for (const [field, r] of [['mainRegion', main] as const, ...others.map((o) => ['otherRegions', o] as const)])
    if (!isKnownRegion(r)) throw validationError(`${field}: ${r} is not a Region of INSEE's COG`, { field });
  void on;
  if (others.includes(main))
    throw validationError('otherRegions: names the main Region again', { field: 'otherRegions' });
  if (new Set(others).size !== others.length)
    throw validationError('otherRegions: a Region twice', { field: 'otherRegions' });
}

const label = (c: LabelPole, state: Pole): PoleEvent[] => {
  const d = c.data;
  if (state.status !== 'Unknown') throw conflict(`pôle ${d.poleId} already exists`);
  assertInProgramme('labelledOn', d.labelledOn, c.metadata);
  const others = d.otherRegions ?? [];
  regions(d.mainRegion, others, d.labelledOn);
  return [
    {
      type: 'PoleLabelled',
      data: {
        poleId: d.poleId,
        name: d.name,
        theme: d.theme,
        mainRegion: d.mainRegion,
        otherRegions: others,
        ...terms(d, d.labelledOn, c.metadata),
        labelledOn: d.labelledOn,
        mergedFrom: d.mergedFrom ?? [],
        synthetic: d.synthetic ?? false,
      },
    },
  ];
};

const renew = (c: RenewPoleLabel, state: Pole): PoleEvent[] => {
  const s = active(state, c.data.poleId);
  const d = c.data;
  assertInProgramme('renewedOn', d.renewedOn, c.metadata);
  notBeforeLast('renewedOn', d.renewedOn, s.lastDate, 'pôle');
  const last = s.labels[s.labels.length - 1]!;
  if (d.phase < last.phase)
    throw validationError(`phase ${d.phase} is before the pôle's current phase (${last.phase})`, { field: 'phase' });
  if (last.probationMonths !== null && last.probationOutcome === null)
    throw conflict(`pôle ${s.id} is on probation: the probation is resolved before the label is renewed`, {
      rule: 'probation-resolved-first',
    });
  // a renewal may come after a gap, or before the current label's end (the new one replaces it)
  return [
    { type: 'PoleLabelRenewed', data: { poleId: s.id, ...terms(d, d.renewedOn, c.metadata), renewedOn: d.renewedOn } },
  ];
};

const endProbation = (c: EndPoleProbation, state: Pole): PoleEvent[] => {
  const s = active(state, c.data.poleId);
  const d = c.data;
  const last = s.labels[s.labels.length - 1]!;
  if (last.probationMonths === null || last.probationOutcome !== null)
    throw conflict(`pôle ${s.id} is not on probation`, { rule: 'not-on-probation' });
  assertInProgramme('endedOn', d.endedOn, c.metadata);
  notBeforeLast('endedOn', d.endedOn, s.lastDate, 'pôle');
  if (d.endedOn > last.endsOn)
    throw validationError(`endedOn ${d.endedOn}: a probation is resolved before the label's end (${last.endsOn})`, {
      field: 'endedOn',
      rule: 'probation-before-label-end',
    });
  return [{ type: 'PoleProbationEnded', data: { poleId: s.id, outcome: d.outcome, endedOn: d.endedOn } }];
};

const delabel = (c: DelabelPole, state: Pole): PoleEvent[] => {
  const s = active(state, c.data.poleId);
  assertInProgramme('delabelledOn', c.data.delabelledOn, c.metadata);
  notBeforeLast('delabelledOn', c.data.delabelledOn, s.lastDate, 'pôle');
  return [{ type: 'PoleDelabelled', data: { poleId: s.id, delabelledOn: c.data.delabelledOn, reason: c.data.reason } }];
};

const merge = (c: MergePole, state: Pole): PoleEvent[] => {
  const s = active(state, c.data.poleId);
  const d = c.data;
  assertInProgramme('mergedOn', d.mergedOn, c.metadata);
  notBeforeLast('mergedOn', d.mergedOn, s.lastDate, 'pôle');
  if (!labelOn(s, d.mergedOn))
    throw conflict(`pôle ${s.id} holds no label on ${d.mergedOn}: nothing to merge`, { rule: 'merge-labelled' });
  if (d.into === s.id) throw validationError('into: a pôle does not merge into itself', { field: 'into' });
  return [
    { type: 'PolesMerged', data: { poleId: s.id, into: d.into, mergedWith: d.mergedWith, mergedOn: d.mergedOn } },
  ];
};

const evaluate = (c: EvaluatePole, state: Pole): PoleEvent[] => {
  const s = active(state, c.data.poleId);
  const d = c.data;
  if (!RATINGS[d.campaign].includes(d.rating))
    throw validationError(`rating: the ${d.campaign} campaign rates ${RATINGS[d.campaign].join(', ')}`, {
      field: 'rating',
      rule: 'rating-of-campaign',
    });
  assertInProgramme('evaluatedOn', d.evaluatedOn, c.metadata);
  if (String(d.campaign) !== d.evaluatedOn.slice(0, 4))
    throw validationError(`evaluatedOn ${d.evaluatedOn} is not in the ${d.campaign} campaign`, {
      field: 'evaluatedOn',
    });
  if (!labelOn(s, d.evaluatedOn))
    throw conflict(`pôle ${s.id} holds no label on ${d.evaluatedOn}`, { rule: 'evaluated-labelled' });
  if (s.evaluations.some((e) => e.campaign === d.campaign))
    throw conflict(`pôle ${s.id} was already evaluated in the ${d.campaign} campaign`, {
      rule: 'one-evaluation-per-campaign',
    });
  return [
    {
      type: 'PoleEvaluated',
      data: { poleId: s.id, campaign: d.campaign, rating: d.rating, evaluatedOn: d.evaluatedOn },
    },
  ];
};

const changeCategory = (c: ChangePoleCategory, state: Pole): PoleEvent[] => {
  const s = active(state, c.data.poleId);
  const d = c.data;
  assertInProgramme('changedOn', d.changedOn, c.metadata);
  notBeforeLast('changedOn', d.changedOn, s.lastDate, 'pôle');
  const l = labelOn(s, d.changedOn);
  if (!l) throw conflict(`pôle ${s.id} holds no label on ${d.changedOn}`, { rule: 'category-labelled' });
  if (l.phase >= 4)
    throw validationError('category: pôles have a category in phases 1–3 only', {
      field: 'category',
      rule: 'category-phases-1-3',
    });
  if (l.category === d.category) return [];
  return [{ type: 'PoleCategoryChanged', data: { poleId: s.id, category: d.category, changedOn: d.changedOn } }];
};

export function decidePole(command: PoleCommand, state: Pole): PoleEvent[] {
  switch (command.type) {
    case 'LabelPole':
      return label(command, state);
    case 'RenewPoleLabel':
      return renew(command, state);
    case 'EndPoleProbation':
      return endProbation(command, state);
    case 'DelabelPole':
      return delabel(command, state);
    case 'MergePole':
      return merge(command, state);
    case 'EvaluatePole':
      return evaluate(command, state);
    case 'ChangePoleCategory':
      return changeCategory(command, state);
    default:
      return assertNever(command);
  }
}
