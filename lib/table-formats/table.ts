/**
 * The ablation table (lib/queries/table) as JSON, CSV, Markdown or LaTeX. Every format lists the LISA cells
 * then the baseline rows, with mean ± std over seeds and n; the best row is marked (best: true in JSON, a
 * `best` column in CSV, bold in Markdown and LaTeX). JSON and CSV carry raw numbers; Markdown and LaTeX show
 * byte metrics in MiB. Every format carries each row's lr (and what it was chosen among), the optimizer-state
 * mode of the LISA rows, and each LISA cell's seed-paired difference to each baseline with its 95% interval;
 * Markdown and LaTeX open with the table's caption.
 */
import type { AblationTable, Comparison, TableRow } from '../queries/table';
import {
  cellParts,
  comparisonParts,
  comparisonText,
  countText,
  displayScale,
  formatValue,
  metricTitle,
} from './format';
import { toJson } from '../protocol/json';

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
/** The knobs a LISA row differs in besides γ and K: a sampling rule other than uniform, module granularity, … */
const variantText = (r: TableRow) => {
  const own: Record<string, unknown> = {};
  if (r.sampling && r.sampling !== 'uniform') own.sampling = r.sampling;
  if (r.fixedBlocks) own.fixed_blocks = r.fixedBlocks;
  if (r.granularity && r.granularity !== 'block') own.granularity = r.granularity;
  return Object.entries({ ...own, ...r.variant })
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
};

export function tableToJson(t: AblationTable): string {
  return toJson(t, 2);
}

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A baseline's label as a CSV column prefix: "Full" → "vs_full", "LoRA r=8 α=16" → "vs_lora_r_8_a_16". */
export function baselineSlug(label: string): string {
  const ascii = label.toLowerCase().replace(/α/g, 'a').replace(/γ/g, 'g');
  return `vs_${ascii.replace(/[^a-z0-9.]+/g, '_').replace(/^_+|_+$/g, '')}`;
}

const COMPARISON_COLUMNS = ['n', 'mean', 'ci95_low', 'ci95_high', 'interval', 'significant'];

export function tableToCsv(t: AblationTable): string {
  const header = [
    'method',
    'label',
    'gamma',
    'interval',
    'switches',
    'steps',
    'rank',
    'alpha',
    'variant',
    'metric',
    'n',
    'non_finite',
    'excluded',
    'mean',
    'std',
    'stderr',
    'ci95_low',
    'ci95_high',
    'min',
    'max',
    'cv',
    'best',
    'lr',
    'lr_candidates',
    'lr_chosen_on',
    'optimizer_state',
    ...t.baselines.flatMap((b) => COMPARISON_COLUMNS.map((c) => `${baselineSlug(b.label)}_${c}`)),
  ];
  const num = (x: number) => (Number.isFinite(x) ? String(x) : formatValue(x));
  const comparison = (c: Comparison | undefined) =>
    !c
      ? COMPARISON_COLUMNS.map(() => '')
      : [
          c.n,
          c.n ? num(c.mean) : '',
          c.ci95 ? num(c.ci95[0]) : '',
          c.ci95 ? num(c.ci95[1]) : '',
          c.interval ?? '',
          c.significant === null ? '' : c.significant ? 1 : 0,
        ];
  const lines = rowsOf(t).map((r) => {
    const s = r.stats;
    const tuned = r.lrChoice.length > 1;
    return [
      r.method,
      r.label,
      r.gamma,
      r.interval,
      r.switches,
      r.steps,
      r.rank,
      r.alpha,
      variantText(r),
      t.metric.id,
      s.n,
      s.nonFinite,
      r.excluded,
      num(s.mean),
      num(s.std),
      num(s.stderr),
      num(s.ci95[0]),
      num(s.ci95[1]),
      num(s.min),
      num(s.max),
      num(s.cv),
      r.best ? 1 : 0,
      r.lr,
      r.lrChoice.map((c) => c.lr ?? '').join(' '),
      tuned ? t.selection.id : '',
      r.optimizerState,
      ...t.baselines.flatMap((_b, i) => comparison(r.method === 'lisa' ? r.comparisons[i] : undefined)),
    ]
      .map(csvField)
      .join(',');
  });
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

export function tableToMarkdown(t: AblationTable): string {
  const { factor } = displayScale(t.metric);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const vs = t.cells.length ? t.baselines.map((b) => `Δ vs ${esc(b.label)} (95% CI)`) : [];
  const lines = [
    t.caption,
    '',
    `| method | γ | K | switches | lr | ${esc(metricTitle(t.metric))}: mean ± std (n) | 95% CI |` +
      vs.map((v) => ` ${v} |`).join(''),
    `|---|---:|---:|---:|---:|---|---|${vs.map(() => '---|').join('')}`,
  ];
  for (const r of rowsOf(t)) {
    const c = cellParts(r.stats, factor);
    let cell = c ? (c.std !== null ? `${c.mean} ± ${c.std} ${countText(c)}` : `${c.mean} ${countText(c)}`) : '—';
    if (r.best && c) cell = `**${cell}**`;
    const [lo, hi] = r.stats.ci95.map((x) => formatValue(x * factor));
    const ci = r.stats.n > 1 ? `[${lo}, ${hi}]` : '—';
    const method = r.method === 'lisa' ? ['LISA', variantText(r)].filter(Boolean).join(' ') : r.label;
    const diffs = vs.map((_, i) => (r.method === 'lisa' ? comparisonText(r.comparisons[i], factor) : '–'));
    const shown = [esc(method), dash(r.gamma), dash(r.interval), dash(r.switches), dash(r.lr), cell, ci, ...diffs];
    lines.push(`| ${shown.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

const LATEX_SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  γ: '$\\gamma$',
  α: '$\\alpha$',
};

export function latexEscape(s: string): string {
  return s.replace(/[\\&%$#_{}~^γα]/g, (ch) => LATEX_SPECIAL[ch]);
}

function latexMethod(r: TableRow): string {
  const variant = variantText(r);
  const base =
    r.method === 'lisa'
      ? 'LISA'
      : r.method === 'full'
        ? 'Full'
        : r.method === 'lora'
          ? `LoRA ($r=${dash(r.rank, '?')}$, $\\alpha=${dash(r.alpha, '?')}$)`
          : latexEscape(r.label);
  return variant ? `${base} (${latexEscape(variant)})` : base;
}

export function tableToLatex(t: AblationTable): string {
  const { factor } = displayScale(t.metric);
  const cellOf = (r: TableRow) => {
    const c = cellParts(r.stats, factor);
    if (!c) return '--';
    const math = c.std !== null ? `${c.mean} \\pm ${c.std}` : c.mean;
    const count = latexEscape(countText(c));
    // \textbf does not reach inside $…$: bold math is \boldsymbol (amsmath), which also bolds \pm.
    return r.best ? `$\\boldsymbol{${math}}$ \\textbf{${count}}` : `$${math}$ ${count}`;
  };
  const vs = t.cells.length ? t.baselines : [];
  const diffOf = (r: TableRow, i: number) => (r.method === 'lisa' ? latexComparison(r.comparisons[i], factor) : '--');
  const line = (r: TableRow) =>
    `${[
      latexMethod(r),
      dash(r.gamma, '--'),
      dash(r.interval, '--'),
      dash(r.switches, '--'),
      dash(r.lr, '--'),
      cellOf(r),
      ...vs.map((_, i) => diffOf(r, i)),
    ].join(' & ')} \\\\`;
  const out = [
    '% requires \\usepackage{booktabs,amsmath}',
    ...latexComment(t.caption),
    `\\begin{tabular}{lrrrrl${'l'.repeat(vs.length)}}`,
    '\\toprule',
    `${[
      'Method',
      '$\\gamma$',
      '$K$',
      'Switches',
      'lr',
      latexEscape(metricTitle(t.metric)),
      ...vs.map((b) => `$\\Delta$ vs ${latexMethod(b)}`),
    ].join(' & ')} \\\\`,
    '\\midrule',
    ...t.cells.map(line),
  ];
  if (t.cells.length > 0 && t.baselines.length > 0) out.push('\\midrule');
  out.push(...t.baselines.map(line), '\\bottomrule', '\\end{tabular}');
  return `${out.join('\n')}\n`;
}

/** "$+0.220 \\pm 0.030^{\\dagger}$" (t), "$+0.220^{+0.031}_{-0.027}$" (bootstrap), "$+0.1$ (n = 1: no interval)". */
export function latexComparison(c: Comparison, factor = 1): string {
  const p = comparisonParts(c, factor);
  if (p.mean === null) return '--';
  if (p.low === null) return `$${p.mean}$ (n = 1: no interval)`;
  const dagger = p.significant ? '^{\\dagger}' : '';
  if (p.half !== null) return `$${p.mean} \\pm ${p.half}${dagger}$`;
  const mean = c.mean * factor;
  const up = formatValue(c.ci95![1] * factor - mean, decimalsOf(p.high!));
  const down = formatValue(mean - c.ci95![0] * factor, decimalsOf(p.low!));
  return `$${p.mean}^{+${up}}_{-${down}}${dagger}$`;
}

const decimalsOf = (s: string) => (/e/i.test(s) ? undefined : (s.split('.')[1] ?? '').length);

/** The caption as LaTeX comment lines (ready for a \\caption{}), wrapped near 110 characters. */
function latexComment(text: string): string[] {
  const words = latexEscape(text)
    .replace(/†/g, '$\\dagger$')
    .replace(/Δ/g, '$\\Delta$')
    .replace(/−/g, '$-$')
    .replace(/∈/g, '$\\in$')
    .replace(/±/g, '$\\pm$')
    .replace(/≥/g, '$\\geq$')
    .split(' ');
  const lines: string[] = [];
  let line = '% caption:';
  for (const w of words) {
    if (line.length + w.length + 1 > 110) {
      lines.push(line);
      line = '%';
    }
    line += ` ${w}`;
  }
  return [...lines, line];
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
