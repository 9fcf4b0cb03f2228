/**
 * The programme's published milestones (docs: /work/shared/docs/domain.md, "Published
 * milestones"; docs/real-data.md shows the demo history reproducing them). The web view marks them
 * on the progress chart and sets the ledger's figures beside them. `null`: not published.
 */
export interface PublishedMilestone {
  asOf: string;
  label: string;
  territories: number;
  contractsValidated: number | null;
  projects: number | null;
}

export const PUBLISHED_MILESTONES: readonly PublishedMilestone[] = [
  {
    asOf: '2018-11-22',
    label: 'Labellisation des 124 premiers territoires',
    territories: 124,
    contractsValidated: null,
    projects: null,
  },
  {
    asOf: '2019-04-30',
    label: 'Environ 330 projets, 13 protocoles signés',
    territories: 136,
    contractsValidated: null,
    projects: 330,
  },
  {
    asOf: '2019-09-24',
    label: '29 territoires contractualisés, 474 projets',
    territories: 144,
    contractsValidated: 29,
    projects: 474,
  },
  {
    asOf: '2019-11-19',
    label: '58 plans d’action validés par les Régions',
    territories: 146,
    contractsValidated: 58,
    projects: 1250,
  },
  {
    asOf: '2020-02-14',
    label: '100 contrats validés avec les Régions',
    territories: 146,
    contractsValidated: 100,
    projects: 1200,
  },
  {
    asOf: '2020-12-31',
    label: 'Fin 2020 : 148 territoires, 1 600 projets',
    territories: 148,
    contractsValidated: null,
    projects: 1600,
  },
];
