import { afterEach, describe, expect, it } from 'vitest';
import { seedNanoSweep, tempDatabase, type TempDatabase } from '../ingest/testing';
import { ablationTable } from '../queries/table';
import { fromJson } from './json';
import { latexEscape, renderTable } from './table';

let t: TempDatabase;
afterEach(() => t?.close());

function table(metric = 'eval/loss') {
  t = tempDatabase();
  seedNanoSweep(t.conn.sqlite);
  return ablationTable(t.conn.sqlite, 's1', metric)!;
}

describe('table exports', () => {
  it('JSON keeps every row, n, and NaN as "NaN"', () => {
    const parsed = fromJson<{ cells: { stats: { n: number; std: number } }[]; baselines: unknown[] }>(renderTable(table(), 'json'));
    expect(parsed.cells.map((c) => c.stats.n)).toEqual([2, 2, 2, 2]);
    expect(parsed.baselines).toHaveLength(2);
  });

  it('CSV has a header row and one line per cell and baseline', () => {
    const lines = renderTable(table(), 'csv').trim().split('\n');
    expect(lines[0]).toBe('method,label,gamma,interval,switches,steps,rank,alpha,variant,metric,n,non_finite,excluded,mean,std,stderr,ci95_low,ci95_high,min,max,cv,best');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(/^lisa,LISA γ=1 K=2,1,2,5,10,,,,eval\/loss,2,0,1,2\.1215,/);
    expect(lines[5]).toMatch(/^full,Full,,,,10,,,,eval\/loss,2,0,0,1\.9015,.*,1$/);
    expect(lines[6]).toMatch(/^lora,LoRA r=8 α=16,,,,10,8,16,/);
  });

  it('Markdown shows mean ± std (n) with the best row in bold', () => {
    const md = renderTable(table(), 'md');
    const rows = md.trim().split('\n');
    expect(rows).toHaveLength(8);
    expect(rows[2]).toBe('| LISA | 1 | 2 | 5 | 2.12150 ± 0.00071 (2) | [2.115, 2.128] |');
    expect(rows[6]).toContain('**1.90150 ± 0.00071 (2)**');
    expect(rows[7]).toMatch(/^\| LoRA r=8 α=16 \| – \| – \| – \| 2\.50150 ± 0\.00071 \(2\) \|/);
  });

  it('LaTeX is booktabs, escaped, with the best cell in bold', () => {
    const tex = renderTable(table('mem/peak_bytes'), 'latex');
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('\\bottomrule');
    expect(tex.match(/\\midrule/g)).toHaveLength(2);
    expect(tex).toContain('max mem/peak\\_bytes (MiB)');
    expect(tex).toContain('LISA & 1 & 2 & 5 & \\textbf{$95.37 \\pm 0$ (2)} \\\\');
    expect(tex).toContain('LoRA ($r=8$, $\\alpha=16$) & -- & -- & -- &');
    expect(latexEscape('a_b & 50% #1 {x} ~ ^ \\ γ')).toBe('a\\_b \\& 50\\% \\#1 \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} $\\gamma$');
  });
});
