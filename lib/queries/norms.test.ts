import { afterEach, describe, expect, it } from 'vitest';
import { ingestEvents } from '../ingest/write';
import { EventBuilder, insertRun, tempDatabase, type TempDatabase } from '../ingest/testing';
import type { NormEntry } from '../protocol';
import { normAggregates, normMatrix } from './norms';

let t: TempDatabase;
afterEach(() => t?.close());

const blocks = Array.from({ length: 12 }, (_, i) => `block.${i}`);

/**
 * 12-block model; group emitted in alphabetical order (as a foreign trainer might); block i trains when
 * step % 12 == i.
 */
function setup() {
  t = tempDatabase();
  insertRun(t.conn.sqlite, { id: 'r1' });
  const b = new EventBuilder();
  const events = [b.started([])];
  for (let step = 0; step < 100; step += 10) {
    const groups: Record<string, NormEntry> = {};
    for (const name of ['head', ...[...blocks].sort(), 'embed', 'lnf']) {
      const base =
        name === 'embed' ? 1000 : name === 'head' ? 900 : name === 'lnf' ? 10 : 100 + Number(name.split('.')[1]);
      groups[name] = {
        weight: base + step,
        update: step,
        trainable: base,
        ...(name === `block.${(step / 10) % 12}` ? { grad: step + 1 } : {}),
      };
    }
    events.push(
      b.norms(step, groups, {
        'block.1/attn.q': { weight: step, update: 0, trainable: 1 },
        'block.0/mlp.fc': { weight: step, update: 0, trainable: 1 },
      }),
    );
  }
  events.push(b.norms(100, { embed: { weight: NaN, update: 0, trainable: 0 } }));
  ingestEvents(t.conn.sqlite, 'r1', events);
  return t.conn.sqlite;
}

describe('layer norms', () => {
  it('orders groups by model order, not by name or arrival', () => {
    const sqlite = setup();
    const m = normMatrix(sqlite, 'r1', 'weight');
    expect(m.groups).toEqual(['embed', ...blocks, 'lnf', 'head']);
    expect(normMatrix(sqlite, 'r1', 'weight', { modules: true }).groups).toEqual(['block.0/mlp.fc', 'block.1/attn.q']);
  });

  it('downsamples the matrix along steps with the mean per cell', () => {
    const sqlite = setup();
    const m = normMatrix(sqlite, 'r1', 'weight', { points: 5 });
    expect(m.bucketSteps).toBe(21);
    expect(m.columns[0]).toEqual({ fromStep: 0, toStep: 20 });
    const head = m.values[m.groups.indexOf('head')];
    expect(head[0]).toBeCloseTo(910); // steps 0, 10, 20 → 900, 910, 920
    const embed = m.values[0];
    expect(embed.at(-1)).toBeCloseTo(1090); // steps 84..104: 90 (1090) and 100 (NaN, left out)
    expect(m.values[m.groups.indexOf('lnf')].at(-1)).toBeCloseTo(100); // steps 90 only
    const full = normMatrix(sqlite, 'r1', 'weight', { points: 1000 });
    expect(full.values[0].at(-1)).toBeNaN(); // only NaN recorded at step 100
    // Buckets with no recorded step (1..9: norms are logged every 10 steps) are left out, not drawn empty.
    expect(full.columns[1]).toEqual({ fromStep: 10, toStep: 10 });
    expect(full.columns.every((_, c) => full.values.some((row) => row[c] !== null))).toBe(true);
  });

  it('grad cells are only the steps where the group trained', () => {
    const sqlite = setup();
    const m = normMatrix(sqlite, 'r1', 'grad', { points: 1000 });
    const b3 = m.values[m.groups.indexOf('block.3')];
    expect(b3.filter((v) => v !== null)).toEqual([31]);
    const agg = normAggregates(sqlite, 'r1', 'grad', 'mean');
    expect(agg.find((r) => r.group === 'block.3')).toMatchObject({ value: 31, n: 1 });
    expect(agg.find((r) => r.group === 'head')).toMatchObject({ value: null, n: 0 });
  });

  it('aggregates mean over steps, last, and at step t (nearest recorded ≤ t)', () => {
    const sqlite = setup();
    const mean = normAggregates(sqlite, 'r1', 'weight', 'mean');
    expect(mean[0]).toMatchObject({ group: 'embed', value: 1045, n: 10, nanCount: 1 });
    expect(mean.find((r) => r.group === 'block.11')).toMatchObject({ value: 111 + 45, n: 10 });
    const at = normAggregates(sqlite, 'r1', 'weight', 'step', 37);
    expect(at.find((r) => r.group === 'head')).toMatchObject({ value: 930, step: 30 });
    const last = normAggregates(sqlite, 'r1', 'weight', 'last');
    expect(last[0].value).toBeNaN();
    expect(last.at(-1)).toMatchObject({ group: 'head', value: 990, step: 90 });
    expect(normAggregates(sqlite, 'r1', 'update', 'step', -1)[0]).toMatchObject({ value: null, step: null });
    expect(() => normAggregates(sqlite, 'r1', 'weight', 'step')).toThrow(RangeError);
  });
});
