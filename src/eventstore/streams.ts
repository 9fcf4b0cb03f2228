/** Stream names: one function per aggregate, `<category>-<id>`, so `$ce-<category>` works in EventStoreDB. */
/** The programme whose territories keep the unqualified stream name. */
export const TERRITORIES_DEFAULT_PROGRAMME = 'territoires-industrie-2018';
/**
 * A territory's stream. Its id is unique within its programme (docs/adr/0007): phase 1
 * (`territoires-industrie-2018`, the default) keeps the previous release's `territory-<id>`;
 * any other programme's territory is `territory-<id>@<programme>` (`@` is in neither ids nor
 * programme ids), still of category `territory`.
 */
export const territoryStream = (id: string, programme: string = TERRITORIES_DEFAULT_PROGRAMME) =>
  programme === TERRITORIES_DEFAULT_PROGRAMME ? `territory-${id}` : `territory-${id}@${programme}`;
/** The programme catalogue: one stream per programme. */
export const programmeStream = (id: string) => `programme-${id}`;
/** A candidate territory's application to a programme's call: ids are unique within the programme. */
export const applicationStream = (id: string, programme: string) => `application-${id}@${programme}`;
export const contractStream = (id: string) => `contract-${id}`;
export const projectStream = (id: string) => `project-${id}`;

/** The NFI programme: its streams' ids are unique within it (docs/adr/0012). */
export const NFI_PROGRAMME_ID = 'nouvelle-france-industrielle-2013';
/** La Nouvelle France industrielle's national plans: one stream for the programme's catalogue (ADR 0012). */
export const plansStream = (programme: string = NFI_PROGRAMME_ID) => `plans-${programme}`;
/**
 * A Region's NFI priorities: keyed by the Region's INSEE code of 2013 (Lorraine stays 41 after
 * 2016; Grand Est's staff record in it), qualified by the programme (ADR 0012).
 */
export const prioritiesStream = (regionCode: string, programme: string = NFI_PROGRAMME_ID) =>
  `priorities-${regionCode}@${programme}`;
/** Pôles de compétitivité (ids unique within their programme, which is the only one of its kind). */
export const poleStream = (id: string) => `pole-${id}`;
export const performanceContractStream = (id: string) => `polecontract-${id}`;
export const fuiCallStream = (callNumber: number) => `fuicall-${callNumber}`;
export const fuiProjectStream = (id: string) => `fuiproject-${id}`;

export const STREAM_CATEGORIES = [
  'territory',
  'contract',
  'project',
  'programme',
  'application',
  'plans',
  'priorities',
  'pole',
  'polecontract',
  'fuicall',
  'fuiproject',
] as const;
export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

export function categoryOf(stream: string): string {
  const i = stream.indexOf('-');
  return i < 0 ? stream : stream.slice(0, i);
}

export function idOf(stream: string): string {
  const i = stream.indexOf('-');
  return i < 0 ? '' : stream.slice(i + 1);
}
