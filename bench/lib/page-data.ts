/**
 * Data for the pages benchmark, all through the real write path: the 100-run curves sweep and the 20-run
 * Figure-2 sweep (ingestEvents straight into the server's SQLite file), and a live external run fed over
 * the HTTP ingest door.
 */
import type { openDatabase } from '../../db';
import { registerExternalRun } from '../../lib/ingest/http';
import { EventBuilder, insertSweep } from '../../lib/ingest/testing';
import { ingestEvents } from '../../lib/ingest/write';
import { encodeEvent, type NormEntry, type RunEvent } from '../../lib/protocol';
// ---------------------------------------------------------------------------------------------- data

export const SWEEP = 'bench-sweep-100';
export const NORMS = 'bench-norms-20';
export const GROUPS = ['embed', 'pos', ...Array.from({ length: 12 }, (_, i) => `block.${i}`), 'lnf', 'head'];

export function feed(sqlite: ReturnType<typeof openDatabase>['sqlite'], runId: string, events: RunEvent[]): number {
  let points = 0;
  for (let i = 0; i < events.length; i += 2000) {
    const r = ingestEvents(sqlite, runId, events.slice(i, i + 2000));
    points += r.points + r.normPoints;
  }
  return points;
}

/** 25 LISA configs (γ × K) × 4 seeds, 5,000 steps each: train/loss every step, eval/loss every 50. */
export function seedCurvesSweep(conn: ReturnType<typeof openDatabase>): { runs: number; points: number } {
  insertSweep(conn.sqlite, SWEEP, '100 runs × 5,000 steps');
  const steps = 5_000;
  let runs = 0;
  let points = 0;
  for (const gamma of [1, 2, 3, 4, 6]) {
    for (const interval of [1, 5, 20, 50, 100]) {
      for (let seed = 1; seed <= 4; seed++) {
        const config = { method: 'lisa', gamma, interval, seed, steps, lr: 3e-4 };
        const { id } = registerExternalRun(conn.db, {
          sweepId: SWEEP,
          kind: 'lisa',
          label: `lisa g${gamma} k${interval} seed ${seed}`,
          config,
        });
        const b = new EventBuilder();
        const events: RunEvent[] = [b.started(GROUPS, config)];
        const final = 2 + gamma / 10 + interval / 1000;
        for (let s = 1; s <= steps; s++) {
          const loss = final + 3 / Math.sqrt(s) + 0.05 * Math.sin(s / 37 + seed) + 0.02 * Math.random();
          events.push(b.metrics(s, { 'train/loss': loss, lr: 3e-4, tokens_per_s: 1000 + seed }));
          if (s % 50 === 0) events.push(b.eval(s, { 'eval/loss': loss + 0.1, 'eval/ppl': Math.exp(loss + 0.1) }));
        }
        events.push(b.finished(steps, { 'eval/loss': final }));
        points += feed(conn.sqlite, id, events);
        runs++;
      }
    }
  }
  return { runs, points };
}

export const normEntry = (w: number, trained: boolean, init: number): NormEntry => ({
  weight: w,
  update: Math.abs(w - init),
  trainable: trained ? w : 0,
  ...(trained ? { grad: w / 1000 } : {}),
});

/** Figure 2: full, LoRA and 3 LISA configs × 4 seeds = 20 runs, 2,000 steps, layer_norms every 10 steps. */
export function seedNormsSweep(conn: ReturnType<typeof openDatabase>): { runs: number; points: number } {
  insertSweep(conn.sqlite, NORMS, 'Figure 2, 20 runs');
  const steps = 2_000;
  const methods: { kind: 'full' | 'lora' | 'lisa'; config: Record<string, unknown> }[] = [
    { kind: 'full', config: { method: 'full' } },
    { kind: 'lora', config: { method: 'lora', rank: 8, alpha: 16 } },
    { kind: 'lisa', config: { method: 'lisa', gamma: 1, interval: 20 } },
    { kind: 'lisa', config: { method: 'lisa', gamma: 2, interval: 20 } },
    { kind: 'lisa', config: { method: 'lisa', gamma: 4, interval: 20 } },
  ];
  let runs = 0;
  let points = 0;
  for (const m of methods) {
    for (let seed = 1; seed <= 4; seed++) {
      const config = { ...m.config, seed, steps };
      const { id } = registerExternalRun(conn.db, {
        sweepId: NORMS,
        kind: m.kind,
        label: `${m.kind} seed ${seed}`,
        config,
      });
      const b = new EventBuilder();
      const events: RunEvent[] = [b.started(GROUPS, config)];
      for (let s = 1; s <= steps; s++) {
        if (s % 10 === 0) events.push(b.metrics(s, { 'train/loss': 2 + 3 / Math.sqrt(s) }));
        if (s % 10 === 0) {
          events.push(
            b.norms(
              s,
              Object.fromEntries(
                GROUPS.map((g, i) => {
                  const init = 100 + 20 * i;
                  const trained =
                    m.kind === 'full' ||
                    (m.kind === 'lisa' && (i < 1 || i > 13 || (i + Math.floor(s / 20)) % 6 === seed % 6));
                  return [g, normEntry(init + (trained ? s / 100 : 0), trained, init)];
                }),
              ),
            ),
          );
        }
      }
      events.push(b.finished(steps, {}));
      points += feed(conn.sqlite, id, events);
      runs++;
    }
  }
  return { runs, points };
}

// --------------------------------------------------------------------------------------- live run feed

/** An external run registered and fed over the HTTP door, a batch of steps every 250 ms. */
export async function liveRun(url: string, preSteps: number): Promise<{ id: string; stop(): Promise<number> }> {
  const reg = await fetch(`${url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'lisa',
      label: 'live bench run',
      config: { method: 'lisa', gamma: 2, interval: 20, seed: 1, steps: 1_000_000 },
    }),
  });
  if (reg.status !== 201) throw new Error(`POST /api/runs → ${reg.status}: ${await reg.text()}`);
  const { id, token } = (await reg.json()) as { id: string; token: string };
  const b = new EventBuilder(Date.now());
  let step = 0;
  const post = async (events: RunEvent[]) => {
    const res = await fetch(`${url}/api/runs/${id}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: events.map(encodeEvent).join('\n'),
    });
    if (!res.ok) throw new Error(`POST /api/runs/${id}/events → ${res.status}: ${await res.text()}`);
  };
  const batch = (n: number): RunEvent[] => {
    const out: RunEvent[] = [];
    for (let i = 0; i < n; i++) {
      step++;
      out.push(b.metrics(step, { 'train/loss': 2 + 3 / Math.sqrt(step), lr: 3e-4, step_ms: 12, tokens_per_s: 80_000 }));
      if (step % 10 === 0)
        out.push(
          b.norms(
            step,
            Object.fromEntries(GROUPS.map((g, j) => [g, normEntry(100 + j + step / 1000, j % 3 === 0, 100 + j)])),
          ),
        );
      if (step % 20 === 0) out.push(b.period(step, step / 20, [step % 12, (step + 5) % 12]));
      if (step % 100 === 0) out.push(b.eval(step, { 'eval/loss': 2.1 + 3 / Math.sqrt(step) }));
    }
    return out;
  };
  await post([b.started(GROUPS, { method: 'lisa', gamma: 2, interval: 20, seed: 1 })]);
  for (let i = 0; i < preSteps; i += 500) await post(batch(500));
  let running = true;
  let failures = 0;
  const loop = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, 250));
      try {
        await post(batch(10));
      } catch {
        failures++;
      }
    }
  })();
  return {
    id,
    async stop() {
      running = false;
      await loop;
      if (failures) console.error(`  live feed: ${failures} failed posts`);
      return step;
    },
  };
}
