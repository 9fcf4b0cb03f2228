import { readFileSync } from 'node:fs';
import t from 'tap';
import { parseCsv } from '../../src/importer/csv.ts';
import {
  ImportInputError,
  PROGRAMMES,
  communesFormat,
  natureFromName,
  normaliseCode,
  parseTerritoryLists,
} from '../../src/importer/territories.ts';

const fixture = (name: string) => ({
  name,
  text: readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'),
});
const phase1 = PROGRAMMES['territoires-industrie-2018']!;
const phase2 = PROGRAMMES['territoires-industrie-2023']!;

t.test('the CSV reader handles quotes, CRLF, a BOM, semicolons and keeps line numbers', async (t) => {
  const table = parseCsv('\ufeffa;b\r\n1;"x;""y"""\r\n\r\n2;"multi\nline"\n3;z\n');
  t.same(table.header, ['a', 'b']);
  t.same(
    table.rows.map((r) => [r.line, ...r.fields]),
    [
      [2, '1', 'x;"y"'],
      [4, '2', 'multi\nline'],
      [6, '3', 'z'],
    ],
  );
  const broken = parseCsv('a,b\n1,"open\n');
  t.same(broken.broken, [{ line: 2, message: 'unterminated quoted field' }]);
});

t.test('territory codes are normalised per phase', async (t) => {
  t.equal(normaliseCode('8408'), '8408');
  t.equal(normaliseCode('TI8408'), '8408');
  t.equal(normaliseCode('ti-8418'), '8418');
  t.equal(normaliseCode('44O1'), undefined);
  t.equal(normaliseCode('84080'), undefined);
  t.equal(phase1.territoryId('8413'), '8413');
  t.equal(phase2.territoryId('8413'), '8413', 'phase 2 reuses numbers: ids are unique within a programme');
  t.equal(natureFromName('CC Fixture Un'), 'CC');
  t.equal(natureFromName('Métropole du Grand Paris'), 'ME');
  t.equal(natureFromName('Syndicat mixte'), undefined);
  t.equal(communesFormat(['insee_com', 'lib_com', 'id_ti', 'lib_ti']), 'anct');
  t.equal(communesFormat(['code_commune', 'code_terrind', 'libelle_terrind']), 'signaux-faibles');
  t.equal(communesFormat(['foo']), undefined);
});

t.test('signaux-faibles communes + INSEE table give each territory its EPCIs and region', async (t) => {
  const r = parseTerritoryLists({
    programme: phase1,
    communes: fixture('sf-communes-v1.csv'),
    inseeCommunes: fixture('insee-communes.csv'),
  });
  t.equal(r.format, 'signaux-faibles');
  t.same(r.problems, []);
  t.same(
    r.territories.map((x) => [x.id, x.name, x.regionCode, x.epcis.map((e) => e.siren), x.communes]),
    [
      ['4401', 'Fixture Vosges', '44', ['200000001', '200000002'], 3],
      ['4402', 'Fixture Moselle', '44', ['200000003'], 1],
      ['8401', 'Fixture Ain', '84', ['200000005'], 1],
    ],
  );
  t.same(r.territories[0]!.epcis[1], { siren: '200000002', name: 'CA Fixture Deux', nature: 'CA' });

  const v2 = parseTerritoryLists({
    programme: phase1,
    communes: fixture('sf-communes-v2.csv'),
    inseeCommunes: fixture('insee-communes.csv'),
  });
  t.same(v2.problems, []);
  const corse = v2.territories.find((x) => x.id === '9401');
  t.equal(corse?.name, 'Fixture Corse, "quoted"');
  t.equal(corse?.regionCode, '94');
  t.match(v2.warnings, [{ line: 7, message: /commune 01002 belongs to no EPCI/ }]);
});

t.test('malformed rows are reported with their line numbers', async (t) => {
  const r = parseTerritoryLists({
    programme: phase1,
    communes: fixture('sf-communes-bad.csv'),
    inseeCommunes: fixture('insee-communes.csv'),
  });
  t.same(
    r.problems.map((p) => [p.line, p.message]),
    [
      [3, 'commune code "8800X" is not an INSEE commune code'],
      [4, 'territory code "44O1" is not a territory code (8408, TI8408 or ti-8408)'],
      [5, 'territory 4401 is named "Another name" here but "Fixture Vosges" on line 2'],
      [6, 'expected 3 fields, found 2'],
      [7, 'commune 99999 (territory 4402) is not in the INSEE table insee-communes.csv'],
      [7, 'territory 4402 "Fixture Moselle" ends up with no EPCI'],
    ],
  );
  t.same(
    r.territories.map((x) => x.id),
    ['4401', '8401'],
    'what is left when the bad rows are skipped',
  );
});

t.test('ANCT commune + groupement files (phase 2, semicolons)', async (t) => {
  const r = parseTerritoryLists({
    programme: phase2,
    communes: fixture('anct-communes.csv'),
    groupements: fixture('anct-groupements.csv'),
  });
  t.equal(r.format, 'anct');
  t.same(r.problems, []);
  t.same(
    r.territories.map((x) => [x.id, x.name, x.regionCode, x.epcis]),
    [
      [
        '4401',
        'Fixture Vallée Deux',
        '44',
        [
          { siren: '200000001', name: 'CC Fixture Un', nature: 'CC' },
          { siren: '200000002', name: 'CA Fixture Deux', nature: 'CA' },
        ],
      ],
      ['4402', 'Fixture Moselle Deux', '44', [{ siren: '200000003', name: 'CC Fixture Trois', nature: 'CC' }]],
    ],
  );
  const badGroup = parseTerritoryLists({
    programme: phase2,
    communes: fixture('anct-communes.csv'),
    groupements: {
      name: 'g.csv',
      text: 'id_ti,lib_ti,siren_groupement,lib_groupement,nature_juridique\nti-4401,X,12345,CC X,CC\nti-9999,Y,200000009,CC Y,CC\n',
    },
  });
  t.same(
    badGroup.problems.map((p) => [p.file, p.line]),
    [
      ['anct-communes.csv', 2],
      ['anct-communes.csv', 4],
      ['g.csv', 2],
      ['g.csv', 3],
    ],
    'bad SIREN, unknown territory, and the territories left without EPCI',
  );
});

t.test('an unknown header or a missing EPCI source is refused outright', async (t) => {
  t.throws(
    () =>
      parseTerritoryLists({
        programme: phase1,
        communes: { name: 'x.csv', text: 'a,b\n1,2\n' },
        inseeCommunes: fixture('insee-communes.csv'),
      }),
    ImportInputError,
  );
  t.throws(() => parseTerritoryLists({ programme: phase1, communes: fixture('sf-communes-v1.csv') }), ImportInputError);
});

t.test('a territory across a regional border keeps the Region its code names', async (t) => {
  const insee = {
    name: 'insee.csv',
    text: [
      'DEPCOM,NOM_DEPCOM,EPCI,NOM_EPCI,DEP,NOM_DEP,REG,NOM_REG',
      '76001,Fixture-Commune-N1,200000071,CC Fixture Bresle,76,Seine-Maritime,28,Normandie',
      '76002,Fixture-Commune-N2,200000071,CC Fixture Bresle,76,Seine-Maritime,28,Normandie',
      '80001,Fixture-Commune-H1,200000072,CC Fixture Vimeu,80,Somme,32,Hauts-de-France',
      '27001,Fixture-Commune-E1,200000073,CC Fixture Eure,27,Eure,28,Normandie',
      '27002,Fixture-Commune-E2,200000073,CC Fixture Eure,27,Eure,28,Normandie',
      '60001,Fixture-Commune-O1,200000074,CC Fixture Oise,60,Oise,32,Hauts-de-France',
    ].join('\n'),
  };
  const communes = {
    name: 'communes.csv',
    text: [
      'code_commune,code_terrind,libelle_terrind',
      // most communes in Normandy (28), the code names Hauts-de-France (32): 32 steers it
      '76001,TI3213,Fixture Bresle',
      '76002,TI3213,Fixture Bresle',
      '80001,TI3213,Fixture Bresle',
      '76999,TI3213,Fixture Bresle',
      // the code names Centre-Val de Loire (24), where none of its communes lie: the majority wins
      '27001,TI2499,Fixture Eure',
      '27002,TI2499,Fixture Eure',
      '60001,TI2499,Fixture Eure',
    ].join('\n'),
  };
  const r = parseTerritoryLists({ programme: phase1, communes, inseeCommunes: insee });
  t.same(
    r.problems.map((p) => [p.line, p.message]),
    [[5, 'commune 76999 (territory 3213) is not in the INSEE table insee.csv']],
  );
  t.same(
    r.territories.map((x) => [x.id, x.regionCode, x.communes]),
    [
      ['2499', '28', 3],
      ['3213', '32', 3],
    ],
    'the region its code names; the unknown commune not counted',
  );
  t.match(
    r.warnings.map((w) => w.message).join('\n'),
    /territory 3213's communes lie in regions 28 \(2\), 32 \(1\); region 32 kept \(named by its code\)/,
  );
});
