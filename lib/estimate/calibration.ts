/** The memory model against the LISA paper's Table 1 and its LLaMA-2-7B breakdown. */
import { estimateMemory, type MemoryBreakdown } from './memory';
import {
  PAPER_BREAKDOWN_LLAMA2_7B, PAPER_TABLE1, TABLE1_CALIBRATION, TABLE1_COLUMNS, table1Input,
  type Table1Column, type Table1Value,
} from './paper-table1';
import type { PaperModel } from './shapes';

export interface Table1Comparison {
  model: PaperModel;
  column: Table1Column;
  paper: Table1Value;
  /** Predicted peak per GPU, in the paper's unit (GiB). */
  predicted: number;
  predictedOom: boolean;
  /** (predicted − paper) / paper; null for OOM cells. */
  relError: number | null;
}

export function compareTable1(): Table1Comparison[] {
  const { unitBytes, gpuCapacityBytes } = TABLE1_CALIBRATION;
  return PAPER_TABLE1.flatMap(({ model, values }) =>
    TABLE1_COLUMNS.map((column, i) => {
      const peak = estimateMemory(table1Input(model, column)).peakBytes;
      const paper = values[i];
      const predicted = peak / unitBytes;
      return {
        model, column, paper, predicted,
        predictedOom: peak > gpuCapacityBytes,
        relError: paper === 'OOM' ? null : (predicted - paper) / paper,
      };
    }),
  );
}

export interface BreakdownComparison {
  column: keyof typeof PAPER_BREAKDOWN_LLAMA2_7B;
  /** Ours, in GB (1e9 bytes); `activations` includes our overhead, as the paper's bar seems to. */
  ours: Omit<MemoryBreakdown, 'overhead'>;
  paper: (typeof PAPER_BREAKDOWN_LLAMA2_7B)[keyof typeof PAPER_BREAKDOWN_LLAMA2_7B];
}

export function compareLlama7bBreakdown(): BreakdownComparison[] {
  const columns = Object.keys(PAPER_BREAKDOWN_LLAMA2_7B) as (keyof typeof PAPER_BREAKDOWN_LLAMA2_7B)[];
  return columns.map((column) => {
    const b = estimateMemory(table1Input('llama-2-7b', column)).breakdown;
    const gb = (x: number) => Math.round(x / 1e8) / 10;
    return {
      column,
      ours: { weights: gb(b.weights), grads: gb(b.grads), optimizer: gb(b.optimizer), activations: gb(b.activations + b.overhead) },
      paper: PAPER_BREAKDOWN_LLAMA2_7B[column],
    };
  });
}

/** A Markdown table of the comparison (for docs and the test log). */
export function table1Markdown(rows = compareTable1()): string {
  const models = [...new Set(rows.map((r) => r.model))];
  const head = `| model | ${TABLE1_COLUMNS.join(' | ')} |\n|---|${TABLE1_COLUMNS.map(() => '---').join('|')}|`;
  const lines = models.map((m) => {
    const cells = rows.filter((r) => r.model === m).map((r) => {
      const p = r.predicted.toFixed(1);
      if (r.paper === 'OOM') return `OOM / ${p}${r.predictedOom ? ' (OOM)' : ' (fits!)'}`;
      const e = (r.relError ?? 0) * 100;
      return `${r.paper} / ${p} (${e >= 0 ? '+' : ''}${e.toFixed(1)}%)${r.predictedOom ? ' OOM!' : ''}`;
    });
    return `| ${m} | ${cells.join(' | ')} |`;
  });
  return [head, ...lines].join('\n');
}
