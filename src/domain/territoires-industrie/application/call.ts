/**
 * The calls for applications of the Territoires d'industrie programmes, as published (pure data):
 * a candidate territory applies within the window; the selection comes after it closes. Phase 2:
 * call 2023-06-23 to 2023-09-22, 183 territories announced 2023-11-09
 * (../shared/docs/programmes.md). Phase 1 had no call (the State labelled 124 territories on
 * 2018-11-22): it has no entry, and applying to it is refused.
 */
export interface CallForApplications {
  programme: string;
  /** First day an application may be submitted. */
  opensOn: string;
  /** Last day an application may be submitted; selections are dated after it. */
  closesOn: string;
  /** The day the selected territories were announced (labelled). */
  announcedOn: string;
  source: string;
}

export const CALLS: readonly CallForApplications[] = Object.freeze([
  {
    programme: 'territoires-industrie-2023',
    opensOn: '2023-06-23',
    closesOn: '2023-09-22',
    announcedOn: '2023-11-09',
    source: 'agence-cohesion-territoires.gouv.fr (appel à candidatures 2023-06-23 – 2023-09-22)',
  },
]);

export const callOf = (programme: string): CallForApplications | undefined =>
  CALLS.find((c) => c.programme === programme);
