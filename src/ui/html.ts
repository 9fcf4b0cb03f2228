/**
 * Server-rendered HTML for the web view (French labels: its users are French public servants; the
 * API stays in English). Everything interpolated goes through `esc`.
 */
export const esc = (v: unknown): string =>
  (typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean'
      ? String(v)
      : ''
  )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** A tagged template whose interpolations are escaped, but for `Raw` values (fragments built here). */
export class Raw {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}
export const raw = (html: string) => new Raw(html);
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const piece = Array.isArray(v)
      ? v.map((x) => (x instanceof Raw ? x.html : esc(x))).join('')
      : v instanceof Raw
        ? v.html
        : esc(v);
    out += piece + strings[i + 1]!;
  });
  return new Raw(out);
}

const fr = new Intl.NumberFormat('fr-FR');
const frEur = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
export const num = (n: number) => fr.format(n);
export const euros = (n: number) => frEur.format(n);
/** 2019-11-19 → 19/11/2019 */
export const date = (iso: string | null | undefined) =>
  iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '—';
export const dateTime = (iso: string) =>
  new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });

export const REGIONS: Record<string, string> = {
  '01': 'Guadeloupe',
  '02': 'Martinique',
  '03': 'Guyane',
  '04': 'La Réunion',
  '06': 'Mayotte',
  '11': 'Île-de-France',
  '24': 'Centre-Val de Loire',
  '27': 'Bourgogne-Franche-Comté',
  '28': 'Normandie',
  '32': 'Hauts-de-France',
  '44': 'Grand Est',
  '52': 'Pays de la Loire',
  '53': 'Bretagne',
  '75': 'Nouvelle-Aquitaine',
  '76': 'Occitanie',
  '84': 'Auvergne-Rhône-Alpes',
  '93': 'Provence-Alpes-Côte d’Azur',
  '94': 'Corse',
};
export const region = (code: string | null | undefined) => (code ? `${REGIONS[code] ?? 'Région'} (${code})` : '—');

export const EVENT_LABELS: Record<string, string> = {
  TerritoryLabelled: 'Territoire labellisé',
  TerritoryRenamed: 'Territoire renommé',
  TerritoryPerimeterChanged: 'Périmètre modifié',
  TerritorySplit: 'Territoire scindé',
  TerritoryCoLeadsAppointed: 'Binôme de pilotage désigné',
  TerritoryWithdrawn: 'Territoire retiré',
  ContractDrafted: 'Contrat rédigé',
  CommitmentMade: 'Engagement pris',
  CommitmentAmended: 'Engagement modifié',
  CommitmentWithdrawn: 'Engagement retiré',
  ContractSubmittedForValidation: 'Contrat soumis à la Région',
  ContractValidatedByRegion: 'Contrat validé par la Région',
  ContractChangesRequestedByRegion: 'Modifications demandées par la Région',
  ContractRejectedByRegion: 'Contrat rejeté par la Région',
  ContractReopened: 'Contrat rouvert',
  ContractSigned: 'Contrat signé',
  ProjectRegistered: 'Projet enregistré',
  ProjectFundingGranted: 'Financement accordé',
  ProjectStarted: 'Projet démarré',
  ProjectCompleted: 'Projet achevé',
  ProjectAbandoned: 'Projet abandonné',
};
/** The events that are decisions (labelling, Regions' decisions, signatures, withdrawals). */
export const DECISIONS = new Set([
  'TerritoryLabelled',
  'TerritorySplit',
  'TerritoryWithdrawn',
  'ContractValidatedByRegion',
  'ContractChangesRequestedByRegion',
  'ContractRejectedByRegion',
  'ContractSigned',
  'ProjectFundingGranted',
]);

export const STATUS_LABELS: Record<string, string> = {
  Labelled: 'labellisé',
  Split: 'scindé',
  Withdrawn: 'retiré',
  Unknown: 'inconnu',
};

const NAV: [string, string][] = [
  ['/ui', 'Connexion'],
  ['/ui/territoires', 'Chronologie d’un territoire'],
  ['/ui/avancement', 'Avancement du programme'],
  ['/ui/file', 'File de validation'],
];

/**
 * A page: the shell the browser loads without credentials. Its `<main>` names the fragment the
 * client script fetches with the bearer token (sessionStorage) and puts in place.
 */
export function page(opts: { title: string; path: string; fragment?: string; body?: Raw }): string {
  const nav = NAV.map(([href, label]) =>
    href === opts.path
      ? html`<a href="${href}" aria-current="page">${label}</a>`
      : html`<a href="${href}">${label}</a>`,
  );
  return (
    '<!doctype html>\n' +
    html`<html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${opts.title} · ti-ledger</title>
        <link rel="stylesheet" href="/ui/assets/style.css" />
        <script src="/ui/assets/app.js" defer></script>
      </head>
      <body>
        <header>
          <strong>ti-ledger</strong> · Territoires d’industrie
          <nav>${nav}</nav>
          <span id="whoami"></span> <button type="button" id="logout" hidden>Se déconnecter</button>
        </header>
        <h1>${opts.title}</h1>
        ${opts.body ?? raw('')}
        <main id="content" ${opts.fragment ? raw(`data-fragment="${esc(opts.fragment)}"`) : raw('')} aria-live="polite">
          ${opts.fragment ? raw('<p class="loading">Chargement…</p>') : raw('')}
        </main>
      </body>
    </html>`.html
  );
}
