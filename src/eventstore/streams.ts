/** Stream names: one function per aggregate, `<category>-<id>`, so `$ce-<category>` works in EventStoreDB. */
export const territoryStream = (id: string) => `territory-${id}`;
export const contractStream = (id: string) => `contract-${id}`;
export const projectStream = (id: string) => `project-${id}`;

export const STREAM_CATEGORIES = ['territory', 'contract', 'project'] as const;
export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

export function categoryOf(stream: string): string {
  const i = stream.indexOf('-');
  return i < 0 ? stream : stream.slice(0, i);
}

export function idOf(stream: string): string {
  const i = stream.indexOf('-');
  return i < 0 ? '' : stream.slice(i + 1);
}
