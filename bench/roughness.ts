/**
 * Loss roughness of LISA, LoRA and full fine-tuning on the nano demo sweep (lib/sweep/presets.ts), run for real:
 * the spec through the scheduler and the trainer into a temporary data home, then the ablation table's
 * `train/loss:roughness` (docs/api.md, "Loss roughness"). The demo's 10 steps are shorter than the 11-step
 * window, so the runs train `--steps N` (default 80) instead; everything else is the demo's.
 * `npx tsx bench/roughness.ts [--steps N]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';

const { values } = parseArgs({ options: { steps: { type: 'string' }, keep: { type: 'boolean' } } });
const steps = Number(values.steps ?? 80);
const home = mkdtempSync(path.join(os.tmpdir(), 'layerlab-roughness-'));
process.env.LAYERLAB_HOME = home;
process.env.LAYERLAB_SLOTS ??= '2';

async function main(): Promise<void> {
  const { getContext } = await import('../lib/server/context');
  const { specPreset } = await import('../lib/sweep/presets');
  const { createSweep, parseOrThrow } = await import('../lib/sweep/create');
  const { ablationTable } = await import('../lib/queries/table');
  const doc = parseDocument(specPreset('nano-demo')!.yaml);
  doc.setIn(['train', 'steps'], steps);
  doc.setIn(['train', 'checkpoint_every'], steps);
  doc.setIn(['train', 'eval_every'], Math.max(5, steps / 4));
  const ctx = getContext();
  const spec = parseOrThrow(doc.toString(), 'application/yaml');
  const sweep = createSweep(ctx.conn, home, spec);
  ctx.scheduler.start();
  const started = Date.now();
  const pending = () =>
    (
      ctx.conn.sqlite
        .prepare(`SELECT count(*) AS n FROM runs WHERE sweep_id = ? AND status IN ('queued', 'running')`)
        .get(sweep.id) as { n: number }
    ).n;
  while (pending() > 0) await new Promise((r) => setTimeout(r, 1000));
  ctx.scheduler.stop();
  // Let the last events be read in.
  await new Promise((r) => setTimeout(r, 1500));
  const table = ablationTable(ctx.conn.sqlite, sweep.id, 'train/loss:roughness')!;
  const loss = ablationTable(ctx.conn.sqlite, sweep.id, 'train/loss')!;
  console.log(
    `nano demo, ${steps} steps per run, ${((Date.now() - started) / 1000).toFixed(0)} s; ${table.metric.label}`,
  );
  console.log('row | n | roughness mean ± std (nats/token) | final train loss mean');
  const rows = [...table.cells, ...table.baselines];
  const lossRows = [...loss.cells, ...loss.baselines];
  rows.forEach((r, i) => {
    const f = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '—');
    console.log(`${r.label} | ${r.stats.n} | ${f(r.stats.mean)} ± ${f(r.stats.std)} | ${f(lossRows[i].stats.mean)}`);
  });
  ctx.conn.sqlite.close();
  if (!values.keep) rmSync(home, { recursive: true, force: true });
  else console.log(`data home kept: ${home}`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
