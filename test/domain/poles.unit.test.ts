import t from 'tap';
import { coValidation } from '../../src/domain/kernel/commitments.ts';
import { buildRegistry } from '../../src/domain/index.ts';
import {
  evolvePole,
  fuiProjectDecider,
  initialPole,
  performanceContractDecider,
  poleDecider,
  type FuiCall,
  type FuiProjectEvent,
  type Member,
  type PerformanceContractEvent,
  type Pole,
  type PoleEvent,
  type PoleEventOf,
} from '../../src/domain/poles-competitivite/index.ts';
import { specFor } from './spec.ts';

// Given/when/then for every rule of issue 18's domain: pôles, performance contracts, FUI projects.
const programme = { id: 'poles-competitivite', launchedOn: '2004-09-14', endsOn: '2026-12-31' };
const meta = { actor: { sub: 'admin', name: 'Admin', roles: ['programme_admin'] }, today: '2025-01-01', programme };
const P = 'aerospace-valley';

const labelled = (o: Partial<PoleEventOf<'PoleLabelled'>['data']> = {}): PoleEventOf<'PoleLabelled'> => ({
  type: 'PoleLabelled',
  data: {
    poleId: P,
    name: 'Aerospace Valley',
    theme: 'aéronautique',
    mainRegion: '73',
    otherRegions: ['72'],
    phase: 1,
    category: 'mondial',
    endsOn: '2008-12-31',
    probationMonths: null,
    labelledOn: '2005-07-12',
    mergedFrom: [],
    synthetic: false,
    ...o,
  },
});
const fold = (events: PoleEvent[]): Pole => events.reduce(evolvePole, initialPole());

t.test('pôle', async (t) => {
  const spec = specFor(poleDecider);
  t.test('labelled for a phase, with its category in phases 1–3', async (t) => {
    spec(t)
      .given([])
      .when({
        type: 'LabelPole',
        data: {
          poleId: P,
          name: 'Aerospace Valley',
          theme: 'aéronautique',
          mainRegion: '73',
          otherRegions: ['72'],
          phase: 1,
          category: 'mondial',
          endsOn: '2008-12-31',
          labelledOn: '2005-07-12',
        },
        metadata: meta,
      })
      .then([labelled()]);
    spec(t)
      .given([])
      .when({
        type: 'LabelPole',
        data: {
          poleId: P,
          name: 'x',
          theme: 'x',
          mainRegion: '84',
          phase: 5,
          category: 'mondial',
          endsOn: '2026-12-31',
          labelledOn: '2023-03-27',
        },
        metadata: meta,
      })
      .then('VALIDATION', /phases 1–3/);
    spec(t)
      .given([])
      .when({
        type: 'LabelPole',
        data: {
          poleId: P,
          name: 'x',
          theme: 'x',
          mainRegion: '84',
          phase: 1,
          endsOn: '2008-12-31',
          labelledOn: '2005-07-12',
        },
        metadata: meta,
      })
      .then('VALIDATION', /category/);
    spec(t)
      .given([labelled()])
      .when({
        type: 'LabelPole',
        data: {
          poleId: P,
          name: 'x',
          theme: 'x',
          mainRegion: '84',
          phase: 1,
          category: 'national',
          endsOn: '2008-12-31',
          labelledOn: '2005-07-12',
        },
        metadata: meta,
      })
      .then('CONFLICT');
  });
  t.test('business dates within the programme', async (t) => {
    spec(t)
      .given([])
      .when({
        type: 'LabelPole',
        data: {
          poleId: P,
          name: 'x',
          theme: 'x',
          mainRegion: '84',
          phase: 1,
          category: 'national',
          endsOn: '2008-12-31',
          labelledOn: '2004-01-01',
        },
        metadata: meta,
      })
      .then('VALIDATION', /before programme poles-competitivite began/);
  });
  t.test('a probation shorter than the label, resolved before its end', async (t) => {
    const onProbation = labelled({
      phase: 5,
      category: null,
      labelledOn: '2023-03-27',
      endsOn: '2026-12-31',
      probationMonths: 12,
    });
    spec(t)
      .given([])
      .when({
        type: 'LabelPole',
        data: {
          poleId: P,
          name: 'x',
          theme: 'x',
          mainRegion: '84',
          phase: 5,
          endsOn: '2024-01-01',
          probationMonths: 24,
          labelledOn: '2023-03-27',
        },
        metadata: meta,
      })
      .then('VALIDATION', /ends after the label/);
    spec(t)
      .given([onProbation])
      .when({ type: 'EndPoleProbation', data: { poleId: P, outcome: 'kept', endedOn: '2024-03-27' }, metadata: meta })
      .then([{ type: 'PoleProbationEnded', data: { poleId: P, outcome: 'kept', endedOn: '2024-03-27' } }]);
    spec(t)
      .given([onProbation])
      .when({
        type: 'EndPoleProbation',
        data: { poleId: P, outcome: 'kept', endedOn: '2027-01-01' },
        metadata: { ...meta, today: '2027-06-01' },
      })
      .then('VALIDATION');
    spec(t)
      .given([labelled()])
      .when({ type: 'EndPoleProbation', data: { poleId: P, outcome: 'kept', endedOn: '2006-01-01' }, metadata: meta })
      .then('CONFLICT', /not on probation/);
    spec(t)
      .given([onProbation])
      .when({
        type: 'RenewPoleLabel',
        data: { poleId: P, phase: 5, endsOn: '2026-12-31', renewedOn: '2024-01-01' },
        metadata: meta,
      })
      .then('CONFLICT', /probation is resolved/);
    const lost = fold([
      onProbation,
      { type: 'PoleProbationEnded', data: { poleId: P, outcome: 'delabelled', endedOn: '2024-03-27' } },
    ]);
    t.equal(lost.status, 'Closed', 'a lost probation delabels');
  });
  t.test('renewed for a later phase', async (t) => {
    spec(t)
      .given([labelled()])
      .when({
        type: 'RenewPoleLabel',
        data: { poleId: P, phase: 2, category: 'mondial', endsOn: '2012-12-31', renewedOn: '2009-01-01' },
        metadata: meta,
      })
      .then([
        {
          type: 'PoleLabelRenewed',
          data: {
            poleId: P,
            phase: 2,
            category: 'mondial',
            endsOn: '2012-12-31',
            probationMonths: null,
            renewedOn: '2009-01-01',
          },
        },
      ]);
    spec(t)
      .given([labelled({ phase: 2 })])
      .when({
        type: 'RenewPoleLabel',
        data: { poleId: P, phase: 1, category: 'mondial', endsOn: '2012-12-31', renewedOn: '2009-01-01' },
        metadata: meta,
      })
      .then('VALIDATION', /before the pôle's current phase/);
  });
  t.test('a delabelled or merged pôle takes no decision after its date', async (t) => {
    const delabelled: PoleEvent = {
      type: 'PoleDelabelled',
      data: { poleId: P, delabelledOn: '2010-05-11', reason: 'r' },
    };
    spec(t)
      .given([labelled({ phase: 2, endsOn: '2012-12-31' }), delabelled])
      .when({
        type: 'EvaluatePole',
        data: { poleId: P, campaign: 2012, rating: 'performant', evaluatedOn: '2012-06-01' },
        metadata: meta,
      })
      .then('CONFLICT', /delabelled/);
    const merged: PoleEvent = {
      type: 'PolesMerged',
      data: { poleId: P, into: 'b', mergedWith: ['c'], mergedOn: '2016-01-01' },
    };
    spec(t)
      .given([labelled({ phase: 3, endsOn: '2019-02-04' }), merged])
      .when({ type: 'DelabelPole', data: { poleId: P, delabelledOn: '2017-01-01', reason: 'x' }, metadata: meta })
      .then('CONFLICT', /merged into b/);
    spec(t)
      .given([labelled({ phase: 3, endsOn: '2019-02-04' })])
      .when({
        type: 'MergePole',
        data: { poleId: P, into: 'b', mergedWith: ['c'], mergedOn: '2016-01-01' },
        metadata: meta,
      })
      .then([merged]);
    spec(t)
      .given([labelled()])
      .when({
        type: 'MergePole',
        data: { poleId: P, into: 'b', mergedWith: [], mergedOn: '2010-01-01' },
        metadata: meta,
      })
      .then('CONFLICT', /holds no label/);
  });
  t.test("evaluations: the campaign's ratings, while labelled, once per campaign", async (t) => {
    const p2 = labelled({ phase: 1, endsOn: '2008-12-31' });
    const ev: PoleEvent = {
      type: 'PoleEvaluated',
      data: { poleId: P, campaign: 2008, rating: 'met', evaluatedOn: '2008-06-18' },
    };
    spec(t)
      .given([p2])
      .when({
        type: 'EvaluatePole',
        data: { poleId: P, campaign: 2008, rating: 'met', evaluatedOn: '2008-06-18' },
        metadata: meta,
      })
      .then([ev]);
    spec(t)
      .given([p2])
      .when({
        type: 'EvaluatePole',
        data: { poleId: P, campaign: 2008, rating: 'performant', evaluatedOn: '2008-06-18' },
        metadata: meta,
      })
      .then('VALIDATION', /rates met/);
    spec(t)
      .given([p2, ev])
      .when({
        type: 'EvaluatePole',
        data: { poleId: P, campaign: 2008, rating: 'met', evaluatedOn: '2008-07-18' },
        metadata: meta,
      })
      .then('CONFLICT', /already evaluated/);
    spec(t)
      .given([p2])
      .when({
        type: 'EvaluatePole',
        data: { poleId: P, campaign: 2012, rating: 'performant', evaluatedOn: '2012-06-18' },
        metadata: meta,
      })
      .then('CONFLICT', /holds no label/);
  });
  t.test('category changes in phases 1–3 only', async (t) => {
    spec(t)
      .given([labelled()])
      .when({
        type: 'ChangePoleCategory',
        data: { poleId: P, category: 'national', changedOn: '2006-01-01' },
        metadata: meta,
      })
      .then([{ type: 'PoleCategoryChanged', data: { poleId: P, category: 'national', changedOn: '2006-01-01' } }]);
    spec(t)
      .given([labelled()])
      .when({
        type: 'ChangePoleCategory',
        data: { poleId: P, category: 'mondial', changedOn: '2006-01-01' },
        metadata: meta,
      })
      .then([]);
    spec(t)
      .given([labelled({ phase: 4, category: null, labelledOn: '2019-02-05', endsOn: '2022-12-31' })])
      .when({
        type: 'ChangePoleCategory',
        data: { poleId: P, category: 'national', changedOn: '2020-01-01' },
        metadata: meta,
      })
      .then('VALIDATION');
  });
});

t.test('performance contract: co-validated by the State and every Region concerned', async (t) => {
  const spec = specFor(performanceContractDecider);
  const pole = fold([labelled({ phase: 3, labelledOn: '2013-01-09', endsOn: '2019-02-04' })]);
  const C = 'pc-1';
  const drafted: PerformanceContractEvent = {
    type: 'PerformanceContractDrafted',
    data: {
      contractId: C,
      poleId: P,
      title: 'Contrat de performance 2013–2018',
      periodFrom: 2013,
      periodTo: 2018,
      regions: ['73', '72'],
      draftedOn: '2013-03-01',
    },
  };
  const made = (
    id: string,
    party: 'state' | 'region' | 'pole' | 'member',
    regionCode: string | null = null,
  ): PerformanceContractEvent => ({
    type: 'PerformanceCommitmentMade',
    data: {
      contractId: C,
      commitmentId: id,
      party,
      regionCode,
      partyName: party,
      partySiren: null,
      objective: null,
      description: 'd',
      amountCents: 100_000,
      dueOn: '2018-12-31',
      madeOn: '2013-03-02',
    },
  });
  const objective: PerformanceContractEvent = {
    type: 'ImpactObjectiveSet',
    data: {
      contractId: C,
      objectiveId: 'o1',
      indicator: 'products_services',
      target: 20,
      dueOn: '2018-12-31',
      setOn: '2013-03-02',
    },
  };
  const all = [
    drafted,
    made('k1', 'state'),
    made('k2', 'pole'),
    made('k3', 'region', '73'),
    made('k4', 'region', '72'),
    objective,
  ];
  const submitted: PerformanceContractEvent = {
    type: 'PerformanceContractSubmitted',
    data: { contractId: C, submission: 1, submittedOn: '2013-04-01', commitmentCount: 4, totalCents: 400_000 },
  };
  const byState: PerformanceContractEvent = {
    type: 'PerformanceContractValidatedByState',
    data: { contractId: C, submission: 1, decidedOn: '2013-05-01', comment: null },
  };
  const by73: PerformanceContractEvent = {
    type: 'PerformanceContractValidatedByRegion',
    data: { contractId: C, regionCode: '73', submission: 1, decidedOn: '2013-05-02', comment: null },
  };
  const region = (
    regionCode: string,
    officerRegions: string[],
    decision: 'validated' | 'refused' = 'validated',
    comment?: string,
  ) => ({
    type: 'DecidePerformanceContractForRegion' as const,
    data: {
      contractId: C,
      regionCode,
      officerRegions,
      decision,
      decidedOn: '2013-05-03',
      ...(comment ? { comment } : {}),
    },
    metadata: meta,
  });

  t.test('drafted for a labelled pôle, its Regions concerned', async (t) => {
    spec(t)
      .given([])
      .when({
        type: 'DraftPerformanceContract',
        data: {
          contractId: C,
          poleId: P,
          title: 'Contrat de performance 2013–2018',
          periodFrom: 2013,
          periodTo: 2018,
          draftedOn: '2013-03-01',
          pole,
        },
        metadata: meta,
      })
      .then([drafted]);
    spec(t)
      .given([])
      .when({
        type: 'DraftPerformanceContract',
        data: { contractId: C, poleId: P, title: 't', periodFrom: 2013, periodTo: 2018, draftedOn: '2020-03-01', pole },
        metadata: meta,
      })
      .then('CONFLICT', /holds no label/);
  });
  t.test("a Region's commitment names a Region concerned", async (t) => {
    spec(t)
      .given([drafted])
      .when({
        type: 'MakePerformanceCommitment',
        data: {
          contractId: C,
          commitmentId: 'k9',
          party: 'region',
          regionCode: '11',
          partyName: 'IdF',
          description: 'd',
          amountEur: 10,
          dueOn: '2018-01-01',
          madeOn: '2013-03-02',
        },
        metadata: meta,
      })
      .then('VALIDATION', /Regions concerned/);
  });
  t.test('submitted with the State, the pôle, each Region and an objective', async (t) => {
    spec(t)
      .given(all)
      .when({ type: 'SubmitPerformanceContract', data: { contractId: C, submittedOn: '2013-04-01' }, metadata: meta })
      .then([submitted]);
    spec(t)
      .given(all.filter((e) => !(e.type === 'PerformanceCommitmentMade' && e.data.regionCode === '72')))
      .when({ type: 'SubmitPerformanceContract', data: { contractId: C, submittedOn: '2013-04-01' }, metadata: meta })
      .then('CONFLICT', /missing: region 72/);
    spec(t)
      .given(all.filter((e) => e.type !== 'ImpactObjectiveSet'))
      .when({ type: 'SubmitPerformanceContract', data: { contractId: C, submittedOn: '2013-04-01' }, metadata: meta })
      .then('CONFLICT', /economic-impact objective/);
  });
  t.test('the State alone does not validate it', async (t) => {
    spec(t)
      .given([...all, submitted])
      .when({
        type: 'DecidePerformanceContractForState',
        data: { contractId: C, decision: 'validated', decidedOn: '2013-05-01' },
        metadata: meta,
      })
      .then([byState]);
  });
  t.test('the last Region awaited validates it', async (t) => {
    spec(t)
      .given([...all, submitted, byState, by73])
      .when(region('72', ['75']))
      .then([
        {
          type: 'PerformanceContractValidatedByRegion',
          data: { contractId: C, regionCode: '72', submission: 1, decidedOn: '2013-05-03', comment: null },
        },
        { type: 'PerformanceContractCoValidated', data: { contractId: C, submission: 1, validatedOn: '2013-05-03' } },
      ]);
    spec(t)
      .given([...all, submitted, by73])
      .when(region('72', ['72']))
      .then([
        {
          type: 'PerformanceContractValidatedByRegion',
          data: { contractId: C, regionCode: '72', submission: 1, decidedOn: '2013-05-03', comment: null },
        },
      ]);
  });
  t.test('a Region not concerned, or acting for another Region, is refused', async (t) => {
    spec(t)
      .given([...all, submitted])
      .when(region('11', ['11']))
      .then('FORBIDDEN', /not concerned/);
    spec(t)
      .given([...all, submitted])
      .when(region('72', ['84']))
      .then('FORBIDDEN', /only for region/);
  });
  t.test('once per decider per submission', async (t) => {
    spec(t)
      .given([...all, submitted, by73])
      .when(region('73', ['76']))
      .then('CONFLICT', /already decided/);
  });
  t.test('a refusal sends it back; the next submission starts over', async (t) => {
    const refused: PerformanceContractEvent = {
      type: 'PerformanceContractRefused',
      data: {
        contractId: C,
        decider: 'region',
        regionCode: '72',
        submission: 1,
        decidedOn: '2013-05-03',
        reason: 'objectifs trop faibles',
      },
    };
    spec(t)
      .given([...all, submitted, byState])
      .when(region('72', ['72'], 'refused', 'objectifs trop faibles'))
      .then([refused]);
    spec(t)
      .given([...all, submitted])
      .when(region('72', ['72'], 'refused'))
      .then('VALIDATION', /reason/);
    spec(t)
      .given([...all, submitted, byState, refused])
      .when(region('73', ['73']))
      .then('CONFLICT', /is draft/);
    const s = [...all, submitted, byState, refused].reduce(
      performanceContractDecider.evolve,
      performanceContractDecider.initialState(),
    );
    t.equal(s.status, 'Draft');
    t.same(coValidation(['state', 'region:72'], [{ decider: 'state', submission: 1, kind: 'validated' }], 2).awaiting, [
      'state',
      'region:72',
    ]);
  });
  t.test('a mid-term review follows the co-validation, against its objectives', async (t) => {
    const co: PerformanceContractEvent = {
      type: 'PerformanceContractCoValidated',
      data: { contractId: C, submission: 1, validatedOn: '2013-05-03' },
    };
    spec(t)
      .given([...all, submitted])
      .when({
        type: 'RecordMidTermReview',
        data: { contractId: C, reviewedOn: '2016-01-01', results: [{ objectiveId: 'o1', achieved: 9 }] },
        metadata: meta,
      })
      .then('CONFLICT');
    spec(t)
      .given([...all, submitted, co])
      .when({
        type: 'RecordMidTermReview',
        data: { contractId: C, reviewedOn: '2016-01-01', results: [{ objectiveId: 'o1', achieved: 9 }] },
        metadata: meta,
      })
      .then([
        {
          type: 'MidTermReviewRecorded',
          data: {
            contractId: C,
            reviewedOn: '2016-01-01',
            results: [{ objectiveId: 'o1', achieved: 9 }],
            comment: null,
          },
        },
      ]);
    spec(t)
      .given([...all, submitted, co])
      .when({
        type: 'RecordMidTermReview',
        data: { contractId: C, reviewedOn: '2016-01-01', results: [{ objectiveId: 'zz', achieved: 9 }] },
        metadata: meta,
      })
      .then('VALIDATION', /no objective zz/);
  });
});

t.test('FUI project', async (t) => {
  const spec = specFor(fuiProjectDecider);
  const call: FuiCall = {
    status: 'Opened',
    callNumber: 17,
    opensOn: '2014-01-06',
    closesOn: '2014-02-28',
    results: null,
  };
  const pole = fold([labelled({ phase: 3, labelledOn: '2013-01-09', endsOn: '2019-02-04' })]);
  const firm = (n: number, lead = false): Member => ({
    name: `Firm ${n}`,
    kind: 'firm',
    siren: `00000000${n}`,
    size: 'sme',
    lead,
  });
  const lab: Member = { name: 'LAAS-CNRS', kind: 'lab', siren: null, size: null, lead: false };
  const consortium = [firm(1, true), firm(2), lab];
  const submit = (o: Record<string, unknown> = {}, poles: Record<string, Pole> = { [P]: pole }) => ({
    type: 'SubmitFuiProject' as const,
    data: {
      projectId: 'f1',
      callNumber: 17,
      title: 'Drone',
      consortium,
      labellingPoles: [P],
      budgetEur: 1_000_000,
      impactObjectives: [{ indicator: 'products_services' as const, target: 2 }],
      submittedOn: '2014-02-01',
      call,
      poles,
      ...o,
    },
    metadata: meta,
  });
  const submitted: FuiProjectEvent = {
    type: 'FuiProjectSubmitted',
    data: {
      projectId: 'f1',
      callNumber: 17,
      title: 'Drone',
      consortium,
      labellingPoles: [P],
      regionCode: '73',
      budgetCents: 100_000_000,
      impactObjectives: [{ indicator: 'products_services', target: 2 }],
      submittedOn: '2014-02-01',
      synthetic: false,
    },
  };
  t.test('two firms, a lab, a firm as lead, a labelling pôle, within the window', async (t) => {
    spec(t).given([]).when(submit()).then([submitted]);
    spec(t)
      .given([])
      .when(submit({ consortium: [firm(1, true), lab] }))
      .then('VALIDATION', /at least two firms/);
    spec(t)
      .given([])
      .when(submit({ consortium: [firm(1, true), firm(2)] }))
      .then('VALIDATION', /at least one lab/);
    spec(t)
      .given([])
      .when(submit({ consortium: [firm(1), firm(2), { ...lab, lead: true }] }))
      .then('VALIDATION', /lead of a FUI project is a firm/);
    spec(t)
      .given([])
      .when(submit({ consortium: [firm(1), firm(2), lab] }))
      .then('VALIDATION', /exactly one lead/);
    spec(t)
      .given([])
      .when(submit({ labellingPoles: [] }))
      .then('VALIDATION', /at least one pôle/);
    spec(t)
      .given([])
      .when(submit({ submittedOn: '2014-03-01' }))
      .then('VALIDATION', /outside call 17's window/);
    spec(t)
      .given([])
      .when(submit({ impactObjectives: [] }))
      .then('VALIDATION', /economic-impact objectives/);
  });
  t.test('a delabelled or merged pôle labels nothing after its date', async (t) => {
    const gone = fold([
      labelled({ phase: 3, labelledOn: '2013-01-09', endsOn: '2019-02-04' }),
      { type: 'PoleDelabelled', data: { poleId: P, delabelledOn: '2014-01-15', reason: 'r' } },
    ]);
    spec(t)
      .given([])
      .when(submit({}, { [P]: gone }))
      .then('VALIDATION', /delabelled on 2014-01-15/);
    const merged = fold([
      labelled({ phase: 3, labelledOn: '2013-01-09', endsOn: '2019-02-04' }),
      { type: 'PolesMerged', data: { poleId: P, into: 'x', mergedWith: [], mergedOn: '2014-01-15' } },
    ]);
    spec(t)
      .given([])
      .when(submit({}, { [P]: merged }))
      .then('VALIDATION', /merged on 2014-01-15/);
    spec(t)
      .given([])
      .when(submit({ submittedOn: '2014-01-10' }, { [P]: gone }))
      .then([{ ...submitted, data: { ...submitted.data, submittedOn: '2014-01-10' } }] as FuiProjectEvent[]);
  });
  t.test('selected or rejected by the State after the window', async (t) => {
    spec(t)
      .given([submitted])
      .when({
        type: 'SelectFuiProject',
        data: { projectId: 'f1', stateGrantEur: 400_000, selectedOn: '2014-02-20', call },
        metadata: meta,
      })
      .then('VALIDATION', /after call 17's window closes/);
    spec(t)
      .given([submitted])
      .when({
        type: 'SelectFuiProject',
        data: { projectId: 'f1', stateGrantEur: 400_000, selectedOn: '2014-05-26', call },
        metadata: meta,
      })
      .then([
        {
          type: 'FuiProjectSelected',
          data: { projectId: 'f1', stateGrantCents: 40_000_000, selectedOn: '2014-05-26' },
        },
      ]);
    spec(t)
      .given([submitted])
      .when({
        type: 'RejectFuiProject',
        data: { projectId: 'f1', rejectedOn: '2014-02-27', reason: 'x', call },
        metadata: meta,
      })
      .then('VALIDATION');
  });
  const selected: FuiProjectEvent = {
    type: 'FuiProjectSelected',
    data: { projectId: 'f1', stateGrantCents: 40_000_000, selectedOn: '2014-05-26' },
  };
  t.test('co-funded by a Region, each officer for its own Region', async (t) => {
    const cofund = (regionCode: string, officerRegions: string[]) => ({
      type: 'CoFundFuiProject' as const,
      data: { projectId: 'f1', regionCode, officerRegions, amountEur: 300_000, decidedOn: '2014-06-01' },
      metadata: meta,
    });
    spec(t)
      .given([submitted, selected])
      .when(cofund('73', ['76']))
      .then([
        {
          type: 'FuiProjectCoFunded',
          data: { projectId: 'f1', regionCode: '73', amountCents: 30_000_000, decidedOn: '2014-06-01' },
        },
      ]);
    spec(t)
      .given([submitted, selected])
      .when(cofund('73', ['84']))
      .then('FORBIDDEN');
    spec(t)
      .given([submitted])
      .when(cofund('73', ['73']))
      .then('CONFLICT', /selected/);
  });
  t.test('started, completed, then its economic impact reported', async (t) => {
    const started: FuiProjectEvent = { type: 'FuiProjectStarted', data: { projectId: 'f1', startedOn: '2014-09-01' } };
    const completed: FuiProjectEvent = {
      type: 'FuiProjectCompleted',
      data: { projectId: 'f1', completedOn: '2017-09-01' },
    };
    const report = {
      type: 'ReportFuiProjectImpact' as const,
      data: {
        projectId: 'f1',
        reportedOn: '2019-01-01',
        productsServices: 2,
        jobs: 15,
        revenueEur: 3_000_000,
        patents: 1,
      },
      metadata: meta,
    };
    spec(t)
      .given([submitted])
      .when({ type: 'StartFuiProject', data: { projectId: 'f1', startedOn: '2014-09-01' }, metadata: meta })
      .then('CONFLICT');
    spec(t)
      .given([submitted, selected, started])
      .when(report)
      .then('CONFLICT', /once the project is completed/);
    spec(t)
      .given([submitted, selected, started, completed])
      .when(report)
      .then([
        {
          type: 'FuiProjectImpactReported',
          data: {
            projectId: 'f1',
            reportedOn: '2019-01-01',
            productsServices: 2,
            jobs: 15,
            revenueCents: 300_000_000,
            patents: 1,
          },
        },
      ]);
  });
});

t.test('every event of the programme is registered and round-trips its schema', async (t) => {
  const registry = buildRegistry();
  const e = labelled();
  t.same(registry.upcast(e.type, 1, e.data), e);
  t.equal(registry.occurredOn(e), '2005-07-12');
});
