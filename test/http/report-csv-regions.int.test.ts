import t from 'tap';
import { build } from '../helpers/build.ts';

/**
 * The progress CSV names each Region (the name in force on the report's date) in a last column,
 * `region_name`, after the four existing ones: for the default CSV and for `csv=fr`.
 */
t.test('GET /reports/progress CSV: region_name appended, the name in force on the date', async (t) => {
  const { app, token } = await build(t);
  const auth = { authorization: `Bearer ${await token('reporter')}` };
  const csv = async (query: string) => {
    const res = await app.inject({ url: `/reports/progress?${query}`, headers: { ...auth, accept: 'text/csv' } });
    t.equal(res.statusCode, 200, res.body);
    return res.body;
  };

  const body = await csv('asOf=2019-03-15');
  const lines = body.trimEnd().split('\n');
  t.equal(lines[0], 'section,key,metric,value,region_name');
  t.ok(
    lines.every((l) => l.split(',').length === 5 || l.includes('"')),
    'every line has five fields',
  );
  t.ok(lines.includes('total,,territories,0,'), 'lines without a Region: an empty last field');
  t.ok(lines.includes('region,44,territories,0,Grand Est'));
  t.ok(lines.includes('region,84,projects,0,Auvergne-Rhône-Alpes'));
  t.ok(lines.includes("region,93,contracts_validated,0,Provence-Alpes-Côte d'Azur"));
  // the first four columns are as before: a consumer reading by position sees the same values
  t.ok(lines.includes('region,44,contracts_validated,0,Grand Est'));

  // the name in force on the date: 44 was "Alsace-Champagne-Ardenne-Lorraine" until 2016-09-30
  const early = (await csv('asOf=2016-06-01')).split('\n');
  t.ok(early.includes('region,44,territories,0,Alsace-Champagne-Ardenne-Lorraine'), early.join('\n'));
  const named = (await csv('asOf=2016-09-30')).split('\n');
  t.ok(named.includes('region,44,territories,0,Grand Est'));

  const json = await app.inject({ url: '/reports/progress?asOf=2016-06-01', headers: auth });
  t.match(json.json(), { byRegion: [{ regionCode: '01', regionName: 'Guadeloupe' }] });
  const r44 = json
    .json<{ byRegion: { regionCode: string; regionName: string }[] }>()
    .byRegion.find((x) => x.regionCode === '44');
  t.equal(r44?.regionName, 'Alsace-Champagne-Ardenne-Lorraine', 'the JSON byRegion[] carries the same name');

  const fr = await csv('asOf=2019-03-15&csv=fr');
  t.ok(fr.startsWith('\ufeffsection;key;metric;value;region_name\n'), 'French CSV: BOM, `;`, same header');
  const frLines = fr.slice(1).trimEnd().split('\n');
  t.ok(frLines.includes('region;44;territories;0;Grand Est'));
  t.ok(frLines.includes("region;93;projects;0;Provence-Alpes-Côte d'Azur"));
  t.ok(frLines.includes('total;;funding_eur;0,00;'), 'decimal comma, empty last field');
  t.ok(
    frLines.every((l) => l.split(';').length === 5),
    'every French line has five fields',
  );
});
