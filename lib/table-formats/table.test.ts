import { afterEach, describe, expect, it } from 'vitest';
import {
  seedAblationSweep,
  seedNanoSweep,
  tempDatabase,
  type TempDatabase,
  type SweepFixture,
} from '../ingest/testing';
import { ablationTable } from '../queries/table';
import { fromJson } from '../protocol/json';
import { latexEscape, renderTable } from './table';

let t: TempDatabase;
afterEach(() => t?.close());

function table(metric = 'eval/loss') {
  t = tempDatabase();
  seedNanoSweep(t.conn.sqlite);
  return ablationTable(t.conn.sqlite, 's1', metric)!;
}

/** One LISA cell against Full; LISA's loss per seed is Full's + `diffs[seed - 1]`. */
function pairedTable(diffs: number[], baselineSeeds?: number[], extra: Partial<SweepFixture> = {}) {
  t = tempDatabase();
  const seeds = diffs.map((_, i) => i + 1);
  seedAblationSweep(t.conn.sqlite, {
    sweepId: 'd',
    gammas: [2],
    intervals: [5],
    seeds,
    baselineSeeds,
    steps: 10,
    evalEvery: 5,
    baselines: [{ kind: 'full' }],
    config: () => ({ optimizer_state: 'reset' }),
    finalLoss: (r) => 2 + r.seed / 10 + (r.kind === 'lisa' ? diffs[r.seed - 1] : 0),
    ...extra,
  });
  return ablationTable(t.conn.sqlite, 'd')!;
}

describe('table exports', () => {
  it('JSON keeps every row, n, and NaN as "NaN"', () => {
    const parsed = fromJson<{ cells: { stats: { n: number; std: number } }[]; baselines: unknown[] }>(
      renderTable(table(), 'json'),
    );
    expect(parsed.cells.map((c) => c.stats.n)).toEqual([2, 2, 2, 2]);
    expect(parsed.baselines).toHaveLength(2);
  });

  it('CSV has a header row and one line per cell and baseline', () => {
    const lines = renderTable(table(), 'csv').trim().split('\n');
    expect(lines[0]).toBe(
      'method,label,gamma,interval,switches,steps,rank,alpha,variant,metric,n,non_finite,excluded,' +
        'mean,std,stderr,ci95_low,ci95_high,min,max,cv,best,' +
        'lr,lr_candidates,lr_chosen_on,optimizer_state,' +
        'vs_full_n,vs_full_mean,vs_full_ci95_low,vs_full_ci95_high,vs_full_interval,vs_full_significant,' +
        'vs_lora_r_8_a_16_n,vs_lora_r_8_a_16_mean,vs_lora_r_8_a_16_ci95_low,vs_lora_r_8_a_16_ci95_high,' +
        'vs_lora_r_8_a_16_interval,vs_lora_r_8_a_16_significant',
    );
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(/^lisa,LISA γ=1 K=2,1,2,5,10,,,,eval\/loss,2,0,1,2\.1215,/);
    expect(lines[5]).toMatch(/^full,Full,,,,10,,,,eval\/loss,2,0,0,1\.9015,.*,1,{16}$/);
    expect(lines[6]).toMatch(/^lora,LoRA r=8 α=16,,,,10,8,16,/);
  });

  it('Markdown opens with the caption and shows mean ± std (n), the best row in bold, and Δ vs each baseline', () => {
    const md = renderTable(table(), 'md');
    const rows = md.trim().split('\n');
    expect(rows).toHaveLength(10);
    expect(rows[0]).toMatch(
      /^final eval\/loss, mean ± std over seeds .* Optimizer state at LISA switches: unrecorded\./,
    );
    expect(rows[2]).toBe(
      '| method | γ | K | switches | lr | final eval/loss: mean ± std (n) | 95% CI | Δ vs Full (95% CI) | Δ vs ' +
        'LoRA r=8 α=16 (95% CI) |',
    );
    expect(rows[4]).toBe(
      '| LISA | 1 | 2 | 5 | – | 2.12150 ± 0.00071 (2) | [2.115, 2.128] | +0.220 [0.220, 0.220] † (n = 2) | ' +
        '-0.380 [-0.380, -0.380] † (n = 2) |',
    );
    expect(rows[8]).toContain('**1.90150 ± 0.00071 (2)**');
    expect(rows[9]).toMatch(/^\| LoRA r=8 α=16 \| – \| – \| – \| – \| 2\.50150 ± 0\.00071 \(2\) \|.* – \| – \|$/);
  });

  it('Markdown and CSV carry the paired interval; one shared seed says "n = 1: no interval", never ±0', () => {
    // Δ = 0.05, 0.10, 0.06: mean 0.07, sd 0.026458, t(2) = 4.303 → half-width 0.065727 → [0.0043, 0.1357]
    const three = pairedTable([0.05, 0.1, 0.06]);
    const md = renderTable(three, 'md');
    expect(md).toContain(
      '| LISA | 2 | 5 | 2 | – | 2.27 ± 0.11 (3) | [2.001, 2.539] | +0.070 [0.004, 0.136] † (n = 3) |',
    );
    expect(md).toContain('Optimizer state at LISA switches: reset_all.');
    const csv = renderTable(three, 'csv').trim().split('\n');
    const head = csv[0].split(',');
    const cell = Object.fromEntries(csv[1].split(',').map((v, i) => [head[i], v]));
    expect(cell).toMatchObject({
      optimizer_state: 'reset_all',
      vs_full_n: '3',
      vs_full_interval: 't',
      vs_full_significant: '1',
    });
    expect(Number(cell.vs_full_ci95_low)).toBeCloseTo(0.07 - (4.303 * 0.026458) / Math.sqrt(3), 5);

    const one = pairedTable([0.05, 0.1, 0.06], [3]);
    expect(renderTable(one, 'md')).toContain('| +0.06 (n = 1: no interval) |');
    expect(renderTable(one, 'latex')).toContain('& $+0.06$ (n = 1: no interval) \\\\');
    expect(renderTable(one, 'md')).not.toMatch(/± 0(\.0+)? \(1\)/);
  });

  it('clips the lower 95% bound of a loss at 0 in every format, and the caption says so', () => {
    // Two seeds at 0.1 and 3.0: mean 1.55, t(1) = 12.706 → the raw interval reaches −16.9, an impossible loss.
    const wide = pairedTable([0, 0], undefined, { finalLoss: (r) => (r.seed === 1 ? 0.1 : 3) });
    const lisa = wide.cells[0];
    expect(lisa.stats.ci95[0]).toBe(0);
    expect(lisa.stats.ci95[1]).toBeCloseTo(1.55 + (12.706 * 2.0506) / Math.SQRT2, 1);
    expect(wide.caption).toContain('95% CIs of the mean are clipped at 0 (the quantity cannot be negative).');
    expect(renderTable(wide, 'md')).toMatch(/\| 1\.6 ± 2\.1 \(2\) \| \[0, 19\.97\] \|/);
    const csv = renderTable(wide, 'csv').trim().split('\n');
    const head = csv[0].split(',');
    expect(csv[1].split(',')[head.indexOf('ci95_low')]).toBe('0');
    // The paired Δ may be negative: it is not clipped.
    const better = pairedTable([-1, -1.2]);
    expect(better.cells[0].comparisons[0].ci95![0]).toBeLessThan(0);
    expect(better.caption).not.toContain('clipped');
  });

  it('LaTeX is booktabs, escaped, with the best cell in bold math (\\boldsymbol)', () => {
    const tex = renderTable(table('mem/peak_bytes'), 'latex');
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('\\bottomrule');
    expect(tex.match(/\\midrule/g)).toHaveLength(2);
    expect(tex).toContain('max mem/peak\\_bytes (MiB)');
    // γ=1 K=2 and γ=1 K=5 tie on memory: no row is marked.
    expect(tex).toContain('LISA & 1 & 2 & 5 & -- & $95.37 \\pm 0$ (2) & ');
    expect(tex).not.toMatch(/boldsymbol|textbf/);
    // Bold math is \boldsymbol (\textbf does not reach inside $…$); amsmath provides it.
    const loss = renderTable(table('eval/loss'), 'latex');
    expect(loss).toContain('% requires \\usepackage{booktabs,amsmath}');
    expect(loss).toMatch(
      /^Full & -- & -- & -- & -- & \$\\boldsymbol\{1\.90150 \\pm 0\.00071\}\$ \\textbf\{\(2\)\} & /m,
    );
    expect(tex).toContain('LoRA ($r=8$, $\\alpha=16$) & -- & -- & -- & -- &');
    expect(latexEscape('a_b & 50% #1 {x} ~ ^ \\ γ')).toBe(
      'a\\_b \\& 50\\% \\#1 \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} $\\gamma$',
    );
  });

  it('LaTeX shows Δ ± half-width with a dagger (t), asymmetric bounds (bootstrap), and the caption as comments', () => {
    const three = renderTable(pairedTable([0.05, 0.1, 0.06]), 'latex');
    expect(three).toContain('$\\Delta$ vs Full \\\\');
    expect(three).toContain('& $+0.070 \\pm 0.066^{\\dagger}$ \\\\');
    expect(three).toMatch(/^% caption: final eval\/loss, mean \$\\pm\$ std over seeds/m);
    expect(three).toContain('Optimizer state at LISA switches: reset\\_all.');
    const notSignificant = renderTable(pairedTable([0.05, -0.1, 0.06]), 'latex');
    expect(notSignificant).toContain('& $+0.00 \\pm 0.22$ \\\\');
    const six = pairedTable([0.05, 0.1, 0.06, 0.02, 0.08, 0.07]);
    expect(six.cells[0].comparisons[0].interval).toBe('bootstrap');
    expect(renderTable(six, 'latex')).toMatch(/& \$\+0\.063\^\{\+0\.0\d+\}_\{-0\.0\d+\}\^\{\\dagger\}\$ \\\\/);
  });
});
