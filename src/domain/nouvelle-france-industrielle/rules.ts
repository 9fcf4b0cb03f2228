import { DomainError, validationError, conflict, type DomainErrorCode } from '../kernel/shared.ts';

/**
 * The rules of La Nouvelle France industrielle, each with a stable name: a refusal's problem
 * document carries it as `rule` (and the domain error's code as `code`), so a client or an
 * auditor knows which rule refused a command without parsing the message.
 */
export const NFI_RULES = {
  planIdTaken: 'plan-id-unique',
  planNameTaken: 'plan-name-unique',
  planUnknown: 'plan-exists',
  planRegrouped: 'plan-not-regrouped',
  planLeads: 'plan-one-or-two-leads',
  renameSameName: 'rename-changes-the-name',
  roadmapValidatedOnce: 'plan-roadmap-validated-once',
  regroupedOnce: 'plans-regrouped-once',
  regroupEachPlanOnce: 'regroup-each-plan-into-one',
  regionOf2013: 'region-of-2013',
  regionInForce: 'region-in-force-on-the-date',
  mandatedOnce: 'region-mandated-once',
  notMandated: 'region-mandated',
  dueAfterMandate: 'roadmap-due-after-mandate',
  afterMandate: 'on-or-after-the-mandate',
  usineDuFutur: 'usine-du-futur-never-chosen',
  fivePerRank: 'at-most-five-per-rank',
  oneRankPerPlan: 'one-rank-per-plan',
  notChosen: 'plan-chosen',
  choicesLocked: 'choices-locked-after-submission',
  roadmapFivePlusFive: 'roadmap-five-plus-five',
  roadmapLeads: 'roadmap-lead-for-each-choice',
  roadmapStatus: 'roadmap-status',
  firmOnce: 'usine-du-futur-firm-once',
  dateOrder: 'dates-in-order',
} as const;
export type NfiRule = (typeof NFI_RULES)[keyof typeof NFI_RULES];

export const refuse = (code: DomainErrorCode, rule: NfiRule, message: string, details: Record<string, unknown> = {}) =>
  new DomainError(code, message, { rule, ...details });

export const invalid = (rule: NfiRule, field: string, message: string, details: Record<string, unknown> = {}) =>
  validationError(message, { field, rule, ...details });

export const refused = (rule: NfiRule, message: string, details: Record<string, unknown> = {}) =>
  conflict(message, { rule, ...details });

/** `date` must not be before `since` (the step it follows); a 400 naming the field and the rule. */
export function notBefore(
  field: string,
  date: string,
  since: string,
  what: string,
  rule: NfiRule = NFI_RULES.dateOrder,
) {
  if (date < since) throw invalid(rule, field, `${field} ${date} is before ${what} (${since})`);
}

/** The programme's id, as streams and read models name it. */
export const NFI_PROGRAMME = 'nouvelle-france-industrielle-2013';
/** Usine du futur: every Region's by mandate, never one of its choices. */
export const USINE_DU_FUTUR = 'usine-du-futur';
/** How many plans a Region chooses at each rank. */
export const PLANS_PER_RANK = 5;
