/**
 * The reproduction report as Markdown (docs/reproduction.md) and as one self-contained HTML file (inline SVG),
 * both from the same inputs: the claim rows, the run's provenance, Figure 2's series and the API's own ablation
 * table. Numbers go through lib/format's formatter of their quantity kind.
 */
import { compareTable1 } from '../estimate/calibration';
import { TABLE1_COLUMN_LABELS } from '../estimate/paper-table1';
import { decimalsFor, formatQuantity, formatSpread, quantityOf } from '../format';
import type { AblationTable } from '../queries/table';
import { normsOption, tableHeatmapOption } from '../report/charts';
import { buildHtml, escapeHtml, type HtmlSection } from '../report/html';
import { type ClaimRow, PAPER } from './claims';
import type { Evidence } from './verdict';

/** Where and how the suite ran (stored in the data home as reproduce.json, so --report-only can say it again). */
export interface Provenance {
  scale: string;
  sweepId: string;
  sweepName: string;
  /** The model, data and steps in words, and how that differs from the paper's. */
  scaleNote: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  cores: number;
  cpu: string;
  /** 1-minute load average when the suite started and when it ended. */
  load: [number, number];
  node: string;
  command: string;
}

export interface Figure2 {
  groups: string[];
  full: (number | null)[];
  lora: (number | null)[];
  /** LoRA's measured trainable norm at step 0 (mean over its seeds): the analytic value's check. */
  loraStep0: (number | null)[];
  loraInit: (number | null)[];
  /** e.g. "LoRA r=4 α=8 on q, k, v, o, mlp". */
  loraLabel: string;
}

export interface ReportInputs {
  provenance: Provenance;
  claims: ClaimRow[];
  figure2: Figure2;
  /** The API's Markdown export of the ablation table (GET /api/sweeps/:id/table?format=md). */
  tableMarkdown: string;
  /** The same table as JSON (its γ × K heat map in the HTML). */
  evalTable: AblationTable;
}

/** An estimate as the report prints it: value [95% CI] (n = …), "n = 1", or "(computed)". */
export function formatEvidence(e: Evidence): string {
  const q = quantityOf(e.key ?? '');
  if (!Number.isFinite(e.value)) return '— (no data)';
  const unit = q.factor !== 1 ? ` ${q.unit}` : '';
  if (e.computed) return `${formatQuantity(e.value, q)}${unit} (computed)`;
  if (e.ci?.every(Number.isFinite)) {
    const d = decimalsFor(((e.ci[1] - e.ci[0]) / 2) * q.factor);
    const f = (x: number) => formatQuantity(x, q, d);
    return `${f(e.value)}${unit} [${f(e.ci[0])}, ${f(e.ci[1])}] (n = ${e.n})`;
  }
  return `${formatQuantity(e.value, q)}${unit} (n = ${e.n})`;
}

const threshold = (e: Evidence) => `${e.expect.op} ${formatQuantity(e.expect.than, quantityOf(e.key ?? ''))}`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function partsText(r: ClaimRow): string {
  if (!r.parts.length) return '— (no data: the grid lacks these cells)';
  return r.parts.map((p) => `${p.label}: ${formatEvidence(p)}, expected ${threshold(p)}`).join('; ');
}

export function summary(claims: ClaimRow[]): Record<'holds' | 'does not hold' | 'cannot tell', string[]> {
  const by = { holds: [] as string[], 'does not hold': [] as string[], 'cannot tell': [] as string[] };
  for (const c of claims) by[c.verdict.kind].push(c.id);
  return by;
}

const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function provenanceLines(p: Provenance): string[] {
  const load = p.load.map((l) => l.toFixed(1)).join(' → ');
  return [
    `- **Scale:** ${p.scale} — ${p.scaleNote}`,
    `- **Date:** ${minute(p.startedAt)} UTC to ${minute(p.finishedAt)} UTC`,
    `- **Machine:** ${p.cores} cores (${p.cpu}), 1-minute load average ${load} (start → end), Node ${p.node}`,
    `- **Wall time:** ${formatQuantity(p.wallSeconds, quantityOf('wall_time'))} s, from launch to the last run's end`,
    `- **Sweep:** \`${p.sweepName}\` (${p.sweepId}) in the data home; command: \`${p.command}\``,
  ];
}

const FIGURE2_COLUMNS = ['group', 'full', 'LoRA (mean over steps)', 'LoRA at step 0', 'LoRA init (analytic)'];

function figure2Rows(f: Figure2): string[][] {
  const n = (x: number | null) => (x === null || !Number.isFinite(x) ? '—' : formatQuantity(x));
  return f.groups.map((g, i) => [g, n(f.full[i]), n(f.lora[i]), n(f.loraStep0[i]), n(f.loraInit[i])]);
}

function plannerRows(): string[][] {
  return compareTable1().map((r) => [
    r.model,
    TABLE1_COLUMN_LABELS[r.column],
    r.paper === 'OOM' ? 'OOM' : String(r.paper),
    r.predictedOom ? `OOM (${r.predicted.toFixed(1)})` : r.predicted.toFixed(1),
    r.relError === null ? '—' : `${(100 * r.relError).toFixed(0)} %`,
  ]);
}

const mdTable = (head: string[], rows: string[][]) => [
  `| ${head.join(' | ')} |`,
  `|${head.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
];

export const VERDICT_RULE =
  'Each number is the mean over seeds with its 95 % interval (Student t over the seed-paired differences or ' +
  'per-seed values); a part **holds** when its whole interval lies on the paper’s side of the threshold, ' +
  '**does not hold** when its whole interval lies on the other side, and is **cannot tell (CI overlaps)** when ' +
  'the interval straddles it (**n = 1**: no interval, cannot tell). Computed figures (planner, analytic) have no ' +
  'interval; their value decides. A claim holds when all its parts hold and does not hold when any part does not.';

export function reportMarkdown(x: ReportInputs): string {
  const s = summary(x.claims);
  const list = (ids: string[]) => (ids.length ? ids.join(', ') : 'none');
  return [
    '# Reproducing the LISA paper with LayerLab',
    '',
    `The claims of ${PAPER} put beside what LayerLab measured, written by \`npm run reproduce\` from the data ` +
      'home alone (`npm run reproduce -- --report-only` writes it again). The scale is far below the paper’s: ' +
      'verdicts say what holds **at this scale**, not whether the paper is right. How it works: ' +
      '[reproduce.md](reproduce.md).',
    '',
    ...provenanceLines(x.provenance),
    '',
    ...(x.provenance.scale.startsWith('quick')
      ? [
          'This is the **quick** suite (`npm run reproduce -- --quick`). The full suite (`npm run reproduce`: the ' +
            '`small` preset, 100 steps per run) has not been run for this report.',
          '',
        ]
      : []),
    `**Held:** ${list(s.holds)}. **Did not hold:** ${list(s['does not hold'])}. **Cannot tell:** ` +
      `${list(s['cannot tell'])}.`,
    '',
    '## Claims',
    '',
    ...mdTable(
      ['#', 'claim', 'paper', 'LayerLab (95 % CI, n seeds)', 'verdict'],
      x.claims.map((r) => [r.id, r.claim, r.paper, `${partsText(r)}. ${r.how}`, `**${r.verdict.text}**`]),
    ),
    '',
    VERDICT_RULE,
    '',
    '## Figure 2: mean ‖trainable‖ per layer group',
    '',
    `Mean over the recorded steps of each group's trainable-parameter norm, over the seeds of full fine-tuning and ` +
      `of ${x.figure2.loraLabel} (at their best lr), beside LoRA's analytic initialisation norm: A ~ ` +
      'U(±1/√d_in) (PEFT’s kaiming-uniform, a = √5) gives E‖A‖² = r/3 per adapter; B = 0, so ΔW = 0 at step 0 ' +
      'and ‖trainable‖ = √(m·r/3) for a group of m adapters (0 where LoRA trains nothing); LoRA at step 0 is the ' +
      'same norm as the trainer recorded it before the first update.',
    '',
    ...mdTable(FIGURE2_COLUMNS, figure2Rows(x.figure2)),
    '',
    '## The ablation table (final eval loss)',
    '',
    x.tableMarkdown.trim(),
    '',
    '## Memory: the planner against Table 1',
    '',
    'GiB, batch 1, bf16, as lib/estimate models the paper’s setting (docs/sweep-spec.md, the memory model).',
    '',
    ...mdTable(['model', 'column', 'paper', 'planner', 'error'], plannerRows()),
    '',
  ].join('\n');
}

/** The same report as one HTML file; `svg` renders an ECharts option (the server's SSR renderer). */
export function reportHtml(
  x: ReportInputs,
  svg: (option: Record<string, unknown>, width: number, height: number) => string,
): string {
  const s = summary(x.claims);
  const f = x.figure2;
  // Each chart carries its title as its accessible name (the SSR renderer writes none).
  const titled = (title: string, markup: string) =>
    markup.replace(
      /^<svg([^>]*)>/,
      (_, attrs: string) => `<svg${attrs} role="img"><title>${escapeHtml(title)}</title>`,
    );
  const positive = (xs: (number | null)[]) => xs.map((v) => (v !== null && v > 0 ? v : null));
  const sections: HtmlSection[] = [
    {
      heading: 'Where and how it ran',
      note: provenanceLines(x.provenance)
        .map((l) => l.replace(/^- /, '').replace(/\*\*|`/g, ''))
        .join(' · '),
    },
    {
      heading: 'Claims',
      note:
        `Held: ${s.holds.join(', ') || 'none'}. Did not hold: ${s['does not hold'].join(', ') || 'none'}. ` +
        `Cannot tell: ${s['cannot tell'].join(', ') || 'none'}. ${VERDICT_RULE.replace(/\*\*/g, '')}`,
      table: {
        columns: ['#', 'claim', 'paper', 'LayerLab (95 % CI, n seeds)', 'verdict'],
        rows: x.claims.map((r) => [r.id, r.claim, r.paper, `${partsText(r)}. ${r.how}`, r.verdict.text]),
      },
    },
    {
      heading: 'Figure 2: mean ‖trainable‖ per layer group',
      note: `Full fine-tuning and ${f.loraLabel} (measured, mean over steps and seeds) and LoRA's analytic init norm.`,
      svg: titled(
        'Figure 2: mean trainable norm per layer group, full and LoRA, with LoRA’s analytic init norm',
        svg(
          normsOption(
            f.groups,
            [
              { name: 'full', color: '#D55E00', data: positive(f.full) },
              { name: 'LoRA (mean over steps)', color: '#0072B2', data: positive(f.lora) },
              { name: 'LoRA init (analytic)', color: '#0072B2', dash: 'dashed', data: positive(f.loraInit) },
            ],
            'trainable',
          ),
          900,
          440,
        ),
      ),
      table: { columns: FIGURE2_COLUMNS, rows: figure2Rows(f) },
    },
    {
      heading: 'The ablation table: final eval loss, γ × K',
      note: x.evalTable.caption,
      svg: titled('Final eval loss per γ and K', svg(tableHeatmapOption(x.evalTable), 900, 360)),
      table: {
        columns: ['row', 'lr', 'final eval/loss: mean ± std (n)'],
        rows: [...x.evalTable.cells, ...x.evalTable.baselines].map((r) => [
          r.label,
          r.lr === null ? '—' : formatQuantity(r.lr),
          `${formatSpread(r.stats, false, quantityOf('eval/loss'))} (${r.stats.n})`,
        ]),
      },
    },
    {
      heading: 'Memory: the planner against Table 1 (GiB)',
      table: { columns: ['model', 'column', 'paper', 'planner', 'error'], rows: plannerRows() },
    },
  ];
  return buildHtml({
    title: 'Reproducing the LISA paper with LayerLab',
    subtitle: `${PAPER} · ${x.provenance.scale} scale · finished ${minute(x.provenance.finishedAt)} UTC`,
    sections,
  });
}
