import type { ProgrammeFacts } from './programme.ts';

/**
 * The programmes this release knows (their aggregates are in src/domain/<kind>/). The server
 * records each one as ProgrammeLaunched at start when the log does not hold it yet; until then
 * (a store of the previous release, a command-line tool) commands are checked against these same
 * facts. Dates from ../shared/docs/programmes.md and domain.md.
 */
export const DEFAULT_PROGRAMME = 'territoires-industrie-2018';

export const BUILT_IN_PROGRAMMES: readonly ProgrammeFacts[] = Object.freeze([
  {
    programmeId: 'territoires-industrie-2018',
    name: "Territoires d'industrie (phase 1, 2018–2022)",
    kind: 'territoires-industrie',
    launchedOn: '2018-11-22',
    // Phase 1's territories kept being changed until phase 2 took over; no end is published.
    endsOn: null,
    follows: null,
    sources: ['Conseil national de l’industrie, 2018-11-22'],
  },
  {
    programmeId: 'territoires-industrie-2023',
    name: "Territoires d'industrie (phase 2, 2023–2027)",
    kind: 'territoires-industrie',
    launchedOn: '2023-05-11',
    endsOn: '2027-12-31',
    follows: 'territoires-industrie-2018',
    sources: ['agence-cohesion-territoires.gouv.fr (announcement 2023-05-11, 183 territories 2023-11-09)'],
  },
  {
    programmeId: 'nouvelle-france-industrielle-2013',
    name: 'La Nouvelle France industrielle (2013–2016)',
    kind: 'nouvelle-france-industrielle',
    launchedOn: '2013-09-12',
    endsOn: null,
    follows: null,
    sources: ['pole-nsl.org/les-34-plans-de-la-nouvelle-france-industrielle-des-opportunites-a-saisir/'],
  },
  {
    programmeId: 'poles-competitivite',
    name: 'Pôles de compétitivité (2005–2026)',
    kind: 'poles-competitivite',
    launchedOn: '2004-09-14',
    endsOn: '2026-12-31',
    follows: null,
    sources: ['senat.fr/rap/a07-093-5/a07-093-53.html'],
  },
]);

export const builtInProgramme = (id: string): ProgrammeFacts | undefined =>
  BUILT_IN_PROGRAMMES.find((p) => p.programmeId === id);
