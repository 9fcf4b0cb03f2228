import type { Built } from '../../helpers/build.ts';

/** Shared set-up of the command API tests: two territories (regions 44 and 84) and tokens. */
export const TODAY = '2020-06-01';

export const vosges = {
  id: '4401',
  name: 'Vosges',
  regionCode: '44',
  epcis: [
    { siren: '200068757', name: 'CC des Vosges Côté Sud-Ouest', nature: 'CC' },
    { siren: '248800105', name: "CA d'Épinal", nature: 'CA' },
  ],
  labelledOn: '2018-11-22',
};
export const lyon = {
  id: '8401',
  name: 'Vallée de l’Arve',
  regionCode: '84',
  epcis: [{ siren: '200000172', name: 'CC Cluses Arve et Montagnes', nature: 'CC' }],
  labelledOn: '2018-11-22',
};

export const commitment = (partyKind: string, over: Record<string, unknown> = {}) => ({
  partyKind,
  partyName: `${partyKind} partner`,
  axis: 'innovation',
  description: 'accompany 10 SMEs',
  amountEur: 1000.5,
  dueOn: '2021-12-31',
  madeOn: '2019-02-01',
  ...over,
});

export type Tokens = Awaited<ReturnType<typeof tokens>>;

export async function tokens(b: Built) {
  return {
    admin: await b.token('programme_admin'),
    lead44: await b.token('territory_lead', { territories: ['4401'], sub: 'lead-44' }),
    lead84: await b.token('territory_lead', { territories: ['8401'], sub: 'lead-84' }),
    validator44: await b.token('regional_validator', { regions: ['44'], sub: 'val-44' }),
    validator84: await b.token('regional_validator', { regions: ['84'], sub: 'val-84' }),
    auditor: await b.token('auditor'),
    reporter: await b.token('reporter'),
  };
}

export async function post(
  b: Built,
  token: string | undefined,
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
) {
  return b.app.inject({
    method: 'POST',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    payload: payload as Record<string, unknown>,
  });
}

export async function countEvents(b: Built): Promise<number> {
  const r = await b.system.pool.query<{ n: string }>('select count(*)::text as n from es.events');
  return Number(r.rows[0]!.n);
}

/** Labels both territories. */
export async function territories(b: Built, tk: Tokens) {
  for (const t of [vosges, lyon]) {
    const r = await post(b, tk.admin, '/territories', t);
    if (r.statusCode !== 201) throw new Error(`labelling ${t.id}: ${r.body}`);
  }
}

/** A contract of territory 4401 with the four required commitments; returns its id. */
export async function readyContract(b: Built, tk: Tokens, territoryId = '4401'): Promise<string> {
  const lead = territoryId === '4401' ? tk.lead44 : tk.lead84;
  const r = await post(b, lead, '/contracts', { territoryId, title: 'Contrat de projet', draftedOn: '2019-01-15' });
  if (r.statusCode !== 201) throw new Error(`draft: ${r.body}`);
  const id = r.json<{ id: string }>().id;
  for (const kind of ['industrial', 'epci', 'region', 'state']) {
    const c = await post(b, lead, `/contracts/${id}/commitments`, commitment(kind));
    if (c.statusCode !== 201) throw new Error(`commitment: ${c.body}`);
  }
  return id;
}

export async function submittedContract(b: Built, tk: Tokens, territoryId = '4401'): Promise<string> {
  const id = await readyContract(b, tk, territoryId);
  const lead = territoryId === '4401' ? tk.lead44 : tk.lead84;
  const r = await post(b, lead, `/contracts/${id}/submit`, { submittedOn: '2019-03-01' });
  if (r.statusCode !== 200) throw new Error(`submit: ${r.body}`);
  return id;
}
