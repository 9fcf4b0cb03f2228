import t from 'tap';
import { build } from '../helpers/build.ts';
import { TODAY, post, tokens } from '../http/commands/fixtures.ts';

/** The demo's territories carry synthetic EPCIs and co-leads: the audit view answers them (no 500). */
t.test('GET /audit/territories/{id}?asOf= answers a territory with synthetic EPCIs', async (t) => {
  const b = await build(t, { today: TODAY });
  const tk = await tokens(b);
  const r = await post(b, tk.admin, '/territories', {
    id: '9901',
    name: 'Synthetic',
    regionCode: '44',
    epcis: [
      { siren: '200000001', name: 'CC A', nature: 'CC', synthetic: true },
      { siren: '200000002', name: 'CC B' },
    ],
    labelledOn: '2018-11-22',
    synthetic: true,
  });
  t.equal(r.statusCode, 201, r.body);
  const co = await post(b, tk.admin, '/territories/9901/co-leads', {
    industrial: { name: 'Ind', synthetic: true },
    elected: { name: 'Élu', role: 'Maire', synthetic: true },
    appointedOn: '2019-01-10',
  });
  t.equal(co.statusCode, 200, co.body);
  const auth = { authorization: `Bearer ${tk.auditor}` };
  const position = co.json<{ position: string }>().position;
  await b.app.inject({ url: `/territories/9901?minPosition=${position}`, headers: auth });
  for (const asOf of ['2018-12-01', '2019-06-01']) {
    const a = await b.app.inject({ url: `/audit/territories/9901?asOf=${asOf}`, headers: auth });
    t.equal(a.statusCode, 200, `asOf ${asOf}: ${a.body}`);
    const body = a.json<{ rebuilt: { epcis: { siren: string; synthetic?: boolean }[] }; differences: string[] }>();
    t.same(
      body.rebuilt.epcis.map((e) => [e.siren, e.synthetic ?? false]),
      [
        ['200000001', true],
        ['200000002', false],
      ],
      'the synthetic flag is answered',
    );
    t.same(body.differences, [], 'the stream and the read model agree');
  }
});
