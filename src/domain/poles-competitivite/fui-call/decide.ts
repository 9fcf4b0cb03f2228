import { amountCents } from '../../kernel/commitments.ts';
import {
  assertInProgramme,
  assertNever,
  conflict,
  notFound,
  validationError,
  type Command,
} from '../../kernel/shared.ts';
import type { FuiCall, FuiCallEvent } from './call.ts';

/** FUI call commands and `decide`. Pure. */
export type OpenFuiCall = Command<
  'OpenFuiCall',
  { callNumber: number; opensOn: string; closesOn: string; synthetic?: boolean | undefined }
>;
export type PublishFuiCallResults = Command<
  'PublishFuiCallResults',
  {
    callNumber: number;
    publishedOn: string;
    submitted: number;
    selected: number;
    stateEur: number;
    localAuthoritiesEur: number;
    source: string;
  }
>;
export type FuiCallCommand = OpenFuiCall | PublishFuiCallResults;

const open = (c: OpenFuiCall, state: FuiCall): FuiCallEvent[] => {
  const d = c.data;
  if (state.status !== 'Unknown') throw conflict(`FUI call ${d.callNumber} already exists`);
  assertInProgramme('opensOn', d.opensOn, c.metadata);
  assertInProgramme('closesOn', d.closesOn, { ...c.metadata, today: '2100-12-31' });
  if (d.closesOn <= d.opensOn)
    throw validationError(`closesOn ${d.closesOn} is not after opensOn ${d.opensOn}`, { field: 'closesOn' });
  return [
    {
      type: 'FuiCallOpened',
      data: { callNumber: d.callNumber, opensOn: d.opensOn, closesOn: d.closesOn, synthetic: d.synthetic ?? false },
    },
  ];
};

const publish = (c: PublishFuiCallResults, state: FuiCall): FuiCallEvent[] => {
  const d = c.data;
  if (state.status === 'Unknown') throw notFound(`FUI call ${d.callNumber} does not exist`);
  if (state.results) throw conflict(`FUI call ${d.callNumber}'s results are published already`);
  assertInProgramme('publishedOn', d.publishedOn, c.metadata);
  if (d.publishedOn <= state.closesOn)
    throw validationError(`publishedOn ${d.publishedOn}: results come after the window closes (${state.closesOn})`, {
      field: 'publishedOn',
      rule: 'selection-after-window',
    });
  if (d.selected > d.submitted)
    throw validationError(`selected ${d.selected} is more than submitted ${d.submitted}`, { field: 'selected' });
  return [
    {
      type: 'FuiCallResultsPublished',
      data: {
        callNumber: d.callNumber,
        publishedOn: d.publishedOn,
        submitted: d.submitted,
        selected: d.selected,
        stateCents: amountCents('stateEur', d.stateEur),
        localAuthoritiesCents: amountCents('localAuthoritiesEur', d.localAuthoritiesEur),
        source: d.source,
      },
    },
  ];
};

export function decideFuiCall(command: FuiCallCommand, state: FuiCall): FuiCallEvent[] {
  switch (command.type) {
    case 'OpenFuiCall':
      return open(command, state);
    case 'PublishFuiCallResults':
      return publish(command, state);
    default:
      return assertNever(command);
  }
}
