import { Chart } from '@/app/components/Chart';
import type { ChartOption } from '@/app/components/echarts';
import { measuredRuns } from '@/lib/queries/runs';
import { getContext } from '@/lib/server/context';
import { measuredRows } from '@/lib/views/measured';
import { measuredMemoryOption, measuredSpeedOption } from '@/lib/views/measured-chart';
import { PlannerTable } from './PlannerTable';

export const dynamic = 'force-dynamic';

const num = (v: number, digits: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);

type MemorySearch = { g?: string; s?: string; b?: string; pr?: string };
/** Memory and speed: measured per comparable group from finished runs; the planner at paper scale. URL: g, s, b, pr. */
export default async function MemoryPage({ searchParams }: { searchParams: Promise<MemorySearch> }) {
  const sp = await searchParams;
  const bySweep = sp.g === 'sweep';
  const seq = Math.min(32768, Math.max(16, Number(sp.s) || 512));
  const batch = Math.min(64, Math.max(1, Number(sp.b) || 1));
  const precision = sp.pr === 'fp32' || sp.pr === 'mixed' ? sp.pr : 'half';
  const rows = measuredRows(measuredRuns(getContext().conn.sqlite), { bySweep });
  const data = {
    columns: [
      'preset',
      'batch × seq',
      ...(bySweep ? ['sweep'] : []),
      'backend',
      'method',
      'runs (n)',
      'peak tensor MiB (mean)',
      'std',
      'min',
      'max',
      'peak RSS MiB (mean)',
      'peak wasm heap MiB (mean)',
      'tokens/s (mean)',
      'std',
    ],
    rows: rows.map((r) => [
      r.preset,
      r.shape,
      ...(bySweep ? [r.sweep] : []),
      r.backend,
      r.label,
      r.n,
      num(r.tensorMiB.mean, 2),
      num(r.tensorMiB.std, 2),
      num(r.tensorMiB.min, 2),
      num(r.tensorMiB.max, 2),
      num(r.rssMiB.mean, 1),
      num(r.wasmHeapMiB.mean, 1),
      num(r.tokensPerS.mean, 0),
      num(r.tokensPerS.std, 0),
    ]),
  };
  const grouping =
    `one bar per method at one preset and batch × seq${bySweep ? ' and sweep' : ' (sweeps pooled)'}` +
    '; bar = mean, dots = runs; n in the label';
  return (
    <>
      <h1>Memory &amp; speed</h1>
      <h2>Measured on this machine</h2>
      <p className="muted">
        Runs are pooled only at the same preset, batch × sequence, backend and method setting.{' '}
        {bySweep ? (
          <a href="/memory" data-testid="memory-pool-sweeps">
            Pool sweeps
          </a>
        ) : (
          <a href="/memory?g=sweep" data-testid="memory-by-sweep">
            One row per sweep
          </a>
        )}
      </p>
      {rows.length === 0 ? (
        <p className="panel muted" data-testid="memory-empty">
          No finished runs yet. Launch a sweep (the demo on the welcome page; its length is in the README) and the
          measured peak memory and throughput per method appear here.
        </p>
      ) : (
        <div className="two-col">
          <Chart
            id="mem-measured"
            title="Peak tensor memory per method (MiB)"
            caption={`tfjs tensor high-water mark over finished runs: ${grouping}.`}
            option={measuredMemoryOption(rows) as ChartOption}
            data={data}
            height={380}
          />
          <Chart
            id="speed-measured"
            title="Training throughput per method"
            caption={`Mean tokens/s over finished runs: ${grouping}.`}
            option={measuredSpeedOption(rows) as ChartOption}
            data={data}
            height={380}
          />
        </div>
      )}
      <h2>Planner at paper scale (like the LISA paper&apos;s Table 1)</h2>
      <form className="inline-form" method="get" aria-label="Planner settings">
        {bySweep ? <input type="hidden" name="g" value="sweep" /> : null}
        <label className="inline-field">
          Sequence <input name="s" type="number" min={16} max={32768} defaultValue={seq} />
        </label>
        <label className="inline-field">
          Batch <input name="b" type="number" min={1} max={64} defaultValue={batch} />
        </label>
        <label className="inline-field">
          Precision{' '}
          <select name="pr" defaultValue={precision}>
            <option value="half">bf16 (paper)</option>
            <option value="mixed">mixed</option>
            <option value="fp32">fp32</option>
          </select>
        </label>
        <button className="button button-secondary" type="submit">
          Recompute
        </button>
      </form>
      <PlannerTable seq={seq} batch={batch} precision={precision} />
    </>
  );
}
