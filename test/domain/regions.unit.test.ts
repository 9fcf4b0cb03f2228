import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { parseCsv } from '../../src/importer/csv.ts';
import {
  REGIONS,
  currentRegionOf,
  lineageOf,
  mayActFor,
  predecessorsOf,
  regionInForce,
  regionName,
  regionsInForce,
  reportedRegion,
} from '../../src/domain/kernel/regions.ts';

const codes = (date: string) => regionsInForce(date).map((r) => r.code);

t.test('22 metropolitan Regions before 2016-01-01, 13 after; overseas unchanged', async (t) => {
  const metro = (date: string) => regionsInForce(date).filter((r) => r.kind === 'metropolitan').length;
  t.equal(metro('2015-12-31'), 22);
  t.equal(metro('2016-01-01'), 13);
  t.same(
    codes('2015-12-31').filter((c) => regionInForce(c, '2015-12-31')!.kind === 'overseas'),
    ['01', '02', '03', '04', '06'],
  );
  t.equal(codes('2010-06-01').includes('06'), false, 'Mayotte is a Region from 2011-03-31');
  t.equal(codes('2011-03-31').includes('06'), true);
  t.same(codes('2030-01-01'), codes('2016-01-01'), 'no change since');
});

t.test('the 2016 mapping: every old Region has one successor, every merged one its predecessors', async (t) => {
  t.same(predecessorsOf('44'), ['21', '41', '42']);
  t.same(predecessorsOf('27'), ['26', '43']);
  t.same(predecessorsOf('28'), ['23', '25']);
  t.same(predecessorsOf('32'), ['22', '31']);
  t.same(predecessorsOf('75'), ['54', '72', '74']);
  t.same(predecessorsOf('76'), ['73', '91']);
  t.same(predecessorsOf('84'), ['82', '83']);
  for (const kept of ['11', '24', '52', '53', '93', '94', '01']) t.same(predecessorsOf(kept), [], kept);
  for (const r of REGIONS) {
    const now = currentRegionOf(r.code);
    t.ok(regionInForce(now, '2026-01-01'), `${r.code} → ${now} is in force today`);
  }
  t.equal(currentRegionOf('41'), '44');
  t.equal(currentRegionOf('44'), '44');
  t.equal(currentRegionOf('11'), '11');
  t.equal(currentRegionOf('99'), '99', 'an unknown code maps to itself');
  t.same(lineageOf('44'), ['21', '41', '42', '44']);
  // every old Region is in force until the merger and not after; its successor from that day on
  for (const r of REGIONS.filter((r) => r.successor)) {
    t.ok(regionInForce(r.code, '2015-12-31'), `${r.code} in force on 2015-12-31`);
    t.notOk(regionInForce(r.code, '2016-01-01'), `${r.code} gone on 2016-01-01`);
    t.ok(regionInForce(r.successor!, '2016-01-01'));
    t.notOk(regionInForce(r.successor!, '2015-12-31'), `${r.successor} not yet on 2015-12-31`);
  }
});

t.test('names over time: provisional names until 2016-09-30, Centre renamed in 2015', async (t) => {
  t.equal(regionName('44', '2016-03-01'), 'Alsace-Champagne-Ardenne-Lorraine');
  t.equal(regionName('44', '2016-09-30'), 'Grand Est');
  t.equal(regionName('44'), 'Grand Est');
  t.equal(regionName('32', '2016-06-30'), 'Nord-Pas-de-Calais-Picardie');
  t.equal(regionName('24', '2014-06-30'), 'Centre');
  t.equal(regionName('24', '2015-01-17'), 'Centre-Val de Loire');
  t.equal(regionName('41', '2014-06-30'), 'Lorraine');
  t.equal(regionName('41'), 'Lorraine', 'an old Region keeps its last name');
  t.equal(regionName('99'), undefined);
});

t.test('a report regroups by the geography at the date or by today’s', async (t) => {
  t.equal(reportedRegion('41', 'asof'), '41');
  t.equal(reportedRegion('41', 'current'), '44');
  t.equal(reportedRegion('44', 'current'), '44');
});

t.test('who may act for a record: its own Region and its predecessors, never another', async (t) => {
  t.equal(mayActFor(['44'], '41'), true, 'Grand Est records what Lorraine decided');
  t.equal(mayActFor(['44'], '44'), true);
  t.equal(mayActFor(['84'], '41'), false, 'Auvergne-Rhône-Alpes may not');
  t.equal(mayActFor(['41'], '44'), false, 'a predecessor does not act for its successor');
  t.equal(mayActFor(['41'], '41'), true);
  t.equal(mayActFor([], '41'), false);
  t.equal(mayActFor(['84', '44'], '42'), true);
  t.equal(mayActFor(['44'], '83'), false);
});

// The 2016 geography as INSEE publishes it today (../shared/data, when this checkout has it).
const cog = new URL('../../../shared/data/regions_insee_cog2025_cogiter.csv', import.meta.url);
t.test('the geography in force today is INSEE’s COG (codes, chefs-lieux, names)', async (t) => {
  if (!existsSync(cog)) {
    t.pass('../shared/data is absent: checked against the shipped reference only');
    return;
  }
  const table = parseCsv(readFileSync(cog, 'utf8'));
  const col = (name: string) => table.header.indexOf(name);
  const rows = table.rows.map((r) => ({
    code: r.fields[col('REG')]!,
    chefLieu: r.fields[col('CHEFLIEU')]!,
    name: r.fields[col('NCCENR')]!,
  }));
  t.same(
    rows.map((r) => r.code),
    codes('2025-01-01'),
  );
  for (const row of rows) {
    const r = regionInForce(row.code, '2025-01-01')!;
    t.equal(r.chefLieu, row.chefLieu, `${row.code} chef-lieu`);
    t.equal(regionName(row.code, '2025-01-01'), row.name, `${row.code} name`);
  }
});
