import { TABLE1_COLUMNS, TABLE1_COLUMN_LABELS } from '@/lib/estimate/paper-table1';
import type { Precision } from '@/lib/estimate/memory';
import { formatPercent } from '@/lib/format';
import { plannerTable, type PlannerCell } from '@/lib/views/planner';

function Cell({ c }: { c: PlannerCell }) {
  const b = c.breakdown;
  const title =
    `weights ${b.weights.toFixed(1)} + grads ${b.grads.toFixed(1)} + optimizer ` +
    `${b.optimizer.toFixed(1)} + activations ${b.activations.toFixed(1)} + overhead ${b.overhead.toFixed(1)} GiB`;
  const err = c.relError === null ? null : formatPercent(c.relError, 0, true);
  return (
    <td className="num" title={title}>
      <span className={c.predictedOom ? 'oom' : undefined}>{c.predictedOom ? 'OOM' : c.predicted.toFixed(1)}</span>
      {c.paper !== null ? (
        <span className="paper-value">
          {' '}
          / {c.paper === 'OOM' ? 'OOM' : c.paper}
          {err ? <span className={`rel-err ${Math.abs(c.relError ?? 0) > 0.15 ? 'far' : ''}`}> {err}</span> : null}
        </span>
      ) : null}
    </td>
  );
}

export function PlannerTable({ seq, batch, precision }: { seq: number; batch: number; precision: Precision }) {
  const rows = plannerTable({ seq, batch, precision });
  const paperSetting = rows[0]?.cells[0]?.paper !== null;
  return (
    <>
      <table className="grid planner" data-testid="planner-table">
        <caption className="muted">
          Peak GPU memory per GPU in GiB, <strong>predicted</strong>
          {paperSetting ? ' / paper (error)' : ''}; batch {batch}, sequence {seq} (LLaMA-2-70B: 2-GPU model parallel
          {seq === 512 ? ', sequence 128' : ''}), {precision === 'half' ? 'bf16' : precision}, no gradient checkpointing
          or flash attention; 80 GiB cards. Hover a cell for its breakdown.
        </caption>
        <thead>
          <tr>
            <th>Model</th>
            {TABLE1_COLUMNS.map((c) => (
              <th key={c} className="num">
                {TABLE1_COLUMN_LABELS[c]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.model}>
              <td>{r.name}</td>
              {r.cells.map((c) => (
                <Cell key={c.column} c={c} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Paper values: Pan et al., LISA, arXiv:2403.17919 v1, Table 1 (shown only at the paper&apos;s setting: sequence
        512, batch 1, bf16). The model&apos;s calibration and its guesses are documented in
        lib/estimate/paper-table1.ts.
      </p>
    </>
  );
}
