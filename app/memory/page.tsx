import { Chart } from '@/app/components/Chart';
import type { ChartOption } from '@/app/components/echarts';
import { getContext } from '@/lib/server/context';
import { measuredRows, type MeasuredRunInput } from '@/lib/views/memory';
import { measuredMemoryOption, measuredSpeedOption } from '@/lib/views/memory-chart';
import { PlannerTable } from './PlannerTable';

export const dynamic = 'force-dynamic';

const mib = (b: number) => (Number.isFinite(b) ? b / 2 ** 20 : null);

/** Memory and speed: measured per method from finished runs; the analytic planner at paper scale. URL: s, b, pr. */
export default async function MemoryPage({ searchParams }: { searchParams: Promise<{ s?: string; b?: string; pr?: string }> }) {
  const sp = await searchParams;
  const seq = Math.min(32768, Math.max(16, Number(sp.s) || 512));
  const batch = Math.min(64, Math.max(1, Number(sp.b) || 1));
  const precision = sp.pr === 'fp32' || sp.pr === 'mixed' ? sp.pr : 'half';
  const raw = getContext().conn.sqlite
    .prepare("SELECT kind, config, backend, summary FROM runs WHERE status = 'finished' AND summary IS NOT NULL ORDER BY created_at DESC LIMIT 2000")
    .all() as { kind: string; config: string; backend: string | null; summary: string }[];
  const runs: MeasuredRunInput[] = raw.map((r) => ({ kind: r.kind, backend: r.backend, config: JSON.parse(r.config) as Record<string, unknown>, summary: JSON.parse(r.summary) as Record<string, number> }));
  const rows = measuredRows(runs);
  const data = {
    columns: ['preset', 'backend', 'method', 'runs', 'peak tensor MiB', 'peak RSS MiB', 'peak wasm heap MiB', 'tokens/s'],
    rows: rows.map((r) => [r.preset, r.backend, r.label, r.n, mib(r.peakTensorBytes), mib(r.peakRssBytes), mib(r.peakWasmHeapBytes), Number.isFinite(r.tokensPerS) ? Math.round(r.tokensPerS) : null]),
  };
  return (
    <>
      <h1>Memory &amp; speed</h1>
      <h2>Measured on this machine</h2>
      {rows.length === 0 ? (
        <p className="panel muted" data-testid="memory-empty">No finished runs yet. Launch a sweep (the nano demo takes about a minute) and the measured peak memory and throughput per method appear here.</p>
      ) : (
        <div className="two-col">
          <Chart id="mem-measured" title="Peak tensor memory per method" caption="Mean over finished runs (seeds and K pooled); tfjs tensor high-water mark." option={measuredMemoryOption(rows) as ChartOption} data={data} height={340} />
          <Chart id="speed-measured" title="Training throughput per method" caption="Mean tokens/s over finished runs." option={measuredSpeedOption(rows) as ChartOption} data={data} height={340} />
        </div>
      )}
      <h2>Planner at paper scale (like the LISA paper&apos;s Table 1)</h2>
      <form className="inline-form" method="get" aria-label="Planner settings">
        <label className="inline-field">Sequence <input name="s" type="number" min={16} max={32768} defaultValue={seq} /></label>
        <label className="inline-field">Batch <input name="b" type="number" min={1} max={64} defaultValue={batch} /></label>
        <label className="inline-field">Precision{' '}
          <select name="pr" defaultValue={precision}>
            <option value="half">bf16 (paper)</option><option value="mixed">mixed</option><option value="fp32">fp32</option>
          </select>
        </label>
        <button className="button button-secondary" type="submit">Recompute</button>
      </form>
      <PlannerTable seq={seq} batch={batch} precision={precision} />
    </>
  );
}
