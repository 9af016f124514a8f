/**
 * The ablation table (lib/queries/table) as JSON, CSV, Markdown or LaTeX. Every format lists the LISA cells
 * then the baseline rows, with mean ± std over seeds and n; the best row is marked (best: true in JSON, a
 * `best` column in CSV, bold in Markdown and LaTeX). JSON and CSV carry raw numbers; Markdown and LaTeX show
 * byte metrics in MiB.
 */
import type { AblationTable, TableRow } from '../queries/table';
import { cellParts, countText, displayScale, formatValue } from './format';
import { toJson } from './json';

export const TABLE_FORMATS = ['json', 'csv', 'md', 'latex'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export const TABLE_CONTENT_TYPES: Record<TableFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  latex: 'application/x-latex; charset=utf-8',
};

const rowsOf = (t: AblationTable): TableRow[] => [...t.cells, ...t.baselines];
const dash = (x: number | null, none = '–') => (x === null ? none : String(x));
const variantText = (r: TableRow) => Object.entries(r.variant).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');

export function tableToJson(t: AblationTable): string {
  return toJson(t, 2);
}

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function tableToCsv(t: AblationTable): string {
  const header = ['method', 'label', 'gamma', 'interval', 'switches', 'steps', 'rank', 'alpha', 'variant', 'metric',
    'n', 'non_finite', 'excluded', 'mean', 'std', 'stderr', 'ci95_low', 'ci95_high', 'min', 'max', 'cv', 'best'];
  const num = (x: number) => (Number.isFinite(x) ? String(x) : formatValue(x));
  const lines = rowsOf(t).map((r) => {
    const s = r.stats;
    return [r.method, r.label, r.gamma, r.interval, r.switches, r.steps, r.rank, r.alpha, variantText(r), t.metric.id,
      s.n, s.nonFinite, r.excluded, num(s.mean), num(s.std), num(s.stderr), num(s.ci95[0]), num(s.ci95[1]), num(s.min), num(s.max), num(s.cv),
      r.best ? 1 : 0].map(csvField).join(',');
  });
  return [header.join(','), ...lines].join('\n') + '\n';
}

function metricTitle(t: AblationTable): string {
  const { unit } = displayScale(t.metric);
  return unit ? `${t.metric.label} (${unit})` : t.metric.label;
}

export function tableToMarkdown(t: AblationTable): string {
  const { factor } = displayScale(t.metric);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `| method | γ | K | switches | ${esc(metricTitle(t))}: mean ± std (n) | 95% CI |`,
    '|---|---:|---:|---:|---|---|',
  ];
  for (const r of rowsOf(t)) {
    const c = cellParts(r.stats, factor);
    let cell = c ? (c.std !== null ? `${c.mean} ± ${c.std} ${countText(c)}` : `${c.mean} ${countText(c)}`) : '—';
    if (r.best && c) cell = `**${cell}**`;
    const ci = r.stats.n > 1 ? `[${formatValue(r.stats.ci95[0] * factor)}, ${formatValue(r.stats.ci95[1] * factor)}]` : '—';
    const method = r.method === 'lisa' ? ['LISA', variantText(r)].filter(Boolean).join(' ') : r.label;
    lines.push(`| ${esc(method)} | ${dash(r.gamma)} | ${dash(r.interval)} | ${dash(r.switches)} | ${cell} | ${ci} |`);
  }
  return lines.join('\n') + '\n';
}

const LATEX_SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}', '&': '\\&', '%': '\\%', $: '\\$', '#': '\\#', _: '\\_', '{': '\\{', '}': '\\}',
  '~': '\\textasciitilde{}', '^': '\\textasciicircum{}', γ: '$\\gamma$', α: '$\\alpha$',
};

export function latexEscape(s: string): string {
  return s.replace(/[\\&%$#_{}~^γα]/g, (ch) => LATEX_SPECIAL[ch]);
}

function latexMethod(r: TableRow): string {
  const variant = variantText(r);
  const base =
    r.method === 'lisa' ? 'LISA'
    : r.method === 'full' ? 'Full'
    : r.method === 'lora' ? `LoRA ($r=${dash(r.rank, '?')}$, $\\alpha=${dash(r.alpha, '?')}$)`
    : latexEscape(r.label);
  return variant ? `${base} (${latexEscape(variant)})` : base;
}

export function tableToLatex(t: AblationTable): string {
  const { factor } = displayScale(t.metric);
  const cellOf = (r: TableRow) => {
    const c = cellParts(r.stats, factor);
    if (!c) return '--';
    const body = c.std !== null ? `$${c.mean} \\pm ${c.std}$` : `$${c.mean}$`;
    const text = `${body} ${latexEscape(countText(c))}`;
    return r.best ? `\\textbf{${text}}` : text;
  };
  const line = (r: TableRow) => `${latexMethod(r)} & ${dash(r.gamma, '--')} & ${dash(r.interval, '--')} & ${dash(r.switches, '--')} & ${cellOf(r)} \\\\`;
  const out = [
    '% requires \\usepackage{booktabs}',
    '\\begin{tabular}{lrrrl}',
    '\\toprule',
    `Method & $\\gamma$ & $K$ & Switches & ${latexEscape(metricTitle(t))} \\\\`,
    '\\midrule',
    ...t.cells.map(line),
  ];
  if (t.cells.length > 0 && t.baselines.length > 0) out.push('\\midrule');
  out.push(...t.baselines.map(line), '\\bottomrule', '\\end{tabular}');
  return out.join('\n') + '\n';
}

export function renderTable(t: AblationTable, format: TableFormat): string {
  switch (format) {
    case 'json':
      return tableToJson(t);
    case 'csv':
      return tableToCsv(t);
    case 'md':
      return tableToMarkdown(t);
    case 'latex':
      return tableToLatex(t);
  }
}
