import t from 'tap';
import { BUILT_IN_PROGRAMMES, programmeDecider, type ProgrammeEvent } from '../../src/domain/programmes/index.ts';
import {
  territoryDecider,
  type LabelTerritory,
  type TerritoryEvent,
} from '../../src/domain/territoires-industrie/territory/index.ts';
import { specFor } from './spec.ts';

const actor = { sub: 'admin', name: 'Admin', roles: ['programme_admin'] };
const meta = { actor, today: '2026-01-15' };
const ti2023 = BUILT_IN_PROGRAMMES.find((p) => p.programmeId === 'territoires-industrie-2023')!;
const nfi = BUILT_IN_PROGRAMMES.find((p) => p.programmeId === 'nouvelle-france-industrielle-2013')!;

t.test('LaunchProgramme: recorded once, dates checked', async (t) => {
  const spec = specFor(programmeDecider)(t);
  const launched: ProgrammeEvent = { type: 'ProgrammeLaunched', data: ti2023 };
  spec.given([]).when({ type: 'LaunchProgramme', data: ti2023, metadata: meta }).then([launched]);
  spec.given([launched]).when({ type: 'LaunchProgramme', data: ti2023, metadata: meta }).then('CONFLICT');
  spec
    .given([])
    .when({ type: 'LaunchProgramme', data: { ...ti2023, endsOn: '2020-01-01' }, metadata: meta })
    .then('VALIDATION', /endsOn 2020-01-01 is before launchedOn/);
  spec
    .given([])
    .when({ type: 'LaunchProgramme', data: ti2023, metadata: { ...meta, today: '2023-01-01' } })
    .then('VALIDATION', /after today/);
  spec
    .given([])
    .when({ type: 'LaunchProgramme', data: { ...nfi, follows: nfi.programmeId }, metadata: meta })
    .then('VALIDATION', /does not follow itself/);
});

t.test("business dates follow the programme's own dates", async (t) => {
  const spec = specFor(territoryDecider)(t);
  const bounds = (p: typeof ti2023) => ({ id: p.programmeId, launchedOn: p.launchedOn, endsOn: p.endsOn });
  const label = (programme: typeof ti2023, labelledOn: string): LabelTerritory => ({
    type: 'LabelTerritory',
    data: {
      territoryId: '8413',
      programme: programme.programmeId,
      name: 'Plastics Vallée – Oyonnax',
      regionCode: '84',
      epcis: [{ siren: '200071645', name: 'CC Fixture' }],
      labelledOn,
    },
    metadata: { ...meta, programme: bounds(programme) },
  });
  const ok = label(ti2023, '2023-11-09');
  spec
    .given([])
    .when(ok)
    .then([{ type: 'TerritoryLabelled', data: ok.data }]);
  spec
    .given([])
    .when(label(ti2023, '2023-05-10'))
    .then('VALIDATION', /before programme territoires-industrie-2023 began \(2023-05-11\)/);
  spec
    .given([])
    .when({ ...label(ti2023, '2028-01-03'), metadata: { ...meta, today: '2028-02-01', programme: bounds(ti2023) } })
    .then('VALIDATION', /after programme territoires-industrie-2023 ended \(2027-12-31\)/);
  // an NFI date of 2013 is within the NFI (whatever the shape of what is recorded)
  const nfi2013 = label(nfi, '2013-11-26');
  const nfiLabel = { ...nfi2013, data: { ...nfi2013.data, regionCode: '82' } }; // Rhône-Alpes, in force then
  spec
    .given([])
    .when(nfiLabel)
    .then([{ type: 'TerritoryLabelled', data: nfiLabel.data }]);
  // no programme in the metadata: phase 1's launch, as before
  const noProgramme = { ...label(ti2023, '2018-11-21'), metadata: meta };
  spec
    .given([])
    .when(noProgramme)
    .then('VALIDATION', /before 2018-11-22/);

  // a record keeps the Region code in force on its business date (INSEE COG)
  const lorraine2019 = label(ti2023, '2023-11-09');
  spec
    .given([])
    .when({ ...lorraine2019, data: { ...lorraine2019.data, regionCode: '41' } })
    .then('VALIDATION', /regionCode 41 is not a Region in force on 2023-11-09/);
  const lorraine2013 = label(nfi, '2013-11-26');
  spec
    .given([])
    .when({ ...lorraine2013, data: { ...lorraine2013.data, regionCode: '41' } })
    .then([{ type: 'TerritoryLabelled', data: { ...lorraine2013.data, regionCode: '41' } }]);
  spec
    .given([])
    .when({ ...lorraine2013, data: { ...lorraine2013.data, regionCode: '44' } })
    .then('VALIDATION', /regionCode 44 is not a Region in force on 2013-11-26/);

  // a stream of one programme is not another programme's territory
  const phase1: TerritoryEvent = {
    type: 'TerritoryLabelled',
    data: { ...ok.data, programme: 'territoires-industrie-2018', labelledOn: '2018-11-22' },
  };
  spec
    .given([phase1])
    .when(ok)
    .then('CONFLICT', /already labelled in territoires-industrie-2018/);
  spec
    .given([phase1])
    .when({
      type: 'RenameTerritory',
      data: { territoryId: '8413', name: 'X', renamedOn: '2024-01-01' },
      metadata: { ...meta, programme: bounds(ti2023) },
    })
    .then('NOT_FOUND', /does not exist in programme territoires-industrie-2023/);
});
