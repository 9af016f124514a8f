/**
 * The runs table page's pure parts: its URL state (every setting a short key, so a copied URL reopens the same
 * table), the API query it sends, and how a column names and formats its values.
 */
import { formatNumber } from '../format';

export const RUNS_TABLE_DEFAULTS = {
  q: '',
  status: '',
  method: '',
  sweep: '',
  tags: '',
  where: '',
  sort: 'created',
  dir: 'desc',
  cols: 'eval/loss,eval/loss:best,tokens_per_s,mem/peak_bytes,wall_time',
  sel: '',
  page: '0',
};
export type RunsTableState = Record<keyof typeof RUNS_TABLE_DEFAULTS, string>;
export const RUNS_PAGE_SIZE = 50;

export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** `GET /api/runs?…` for the page's state. */
export function runsTableUrl(st: RunsTableState): string {
  const p = new URLSearchParams();
  for (const k of ['q', 'status', 'method', 'sweep', 'tags', 'where', 'sort', 'dir'] as const) {
    if (st[k]) p.set(k, st[k]);
  }
  if (st.cols) p.set('columns', st.cols);
  p.set('limit', String(RUNS_PAGE_SIZE));
  const page = Number(st.page) || 0;
  if (page > 0) p.set('offset', String(page * RUNS_PAGE_SIZE));
  return `/api/runs?${p.toString()}`;
}

/** A column's header: `config.lr` → "lr", `eval/loss:best` → "best eval/loss", bytes shown in MiB. */
export function columnTitle(field: string): string {
  if (field.startsWith('config.')) return field.slice('config.'.length);
  if (field === 'wall_time') return 'wall time';
  if (field === 'mem/peak_bytes') return 'peak memory (MiB)';
  if (field.startsWith('mem/') && !field.includes(':')) return `max ${field.slice(4).replace(/_bytes$/, '')} (MiB)`;
  const [key, agg] = field.split(':');
  if (!agg) return key === 'tokens_per_s' ? 'tokens/s' : `final ${key}`;
  return `${agg} ${key}${key.startsWith('mem/') ? ' (MiB)' : ''}`;
}

/** A cell's text: NaN as "NaN", an absent value as "—", bytes in MiB, seconds as a duration. */
export function formatColumnValue(field: string, v: number | string | boolean | null): string {
  if (v === null) return '—';
  if (typeof v !== 'number') return String(v);
  if (Number.isNaN(v)) return 'NaN';
  if (field.startsWith('mem/')) return (v / 2 ** 20).toFixed(1);
  if (field === 'wall_time') return `${v < 60 ? v.toFixed(1) : Math.round(v)} s`;
  if (field.startsWith('tokens_per_s')) return Math.round(v).toLocaleString('en');
  return formatNumber(v);
}

/** The columns the picker offers: the common metrics, every recorded metric's final and best, config keys. */
export function columnChoices(keys: { config: string[]; metrics: string[] }): string[] {
  const metrics = keys.metrics.flatMap((k) => (k.startsWith('mem/') ? [k] : [k, `${k}:best`]));
  return [
    ...new Set([
      ...splitList(RUNS_TABLE_DEFAULTS.cols),
      ...metrics,
      ...keys.config.map((k) => `config.${k}`),
      'step',
      'seed',
    ]),
  ];
}
