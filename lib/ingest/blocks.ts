/**
 * Maintenance of point_blocks, the pre-aggregated summary levels of every series (see db/schema.ts).
 * Appended steps (above the series' highest stored step) are folded into in-memory block aggregates and
 * merged with one upsert per touched block; an overwritten or back-filled step marks its finest block dirty,
 * and dirty blocks are recomputed from the points (then their parents from the finer level), because a
 * min or max cannot be un-merged.
 */
import type { WriteStatements } from './statements';

/** Steps per block, finest first; each level is 16x the previous one. */
export const BLOCK_LEVELS = [16, 256, 4096] as const;
const FANOUT = 16;

interface Agg {
  block: number;
  count: number;
  nan: number;
  min: number;
  max: number;
  sum: number;
  first: number;
  last: number;
}

function newAgg(block: number, step: number): Agg {
  return { block, count: 0, nan: 0, min: Infinity, max: -Infinity, sum: 0, first: step, last: step };
}

class SeriesBlocks {
  readonly current: (Agg | null)[] = BLOCK_LEVELS.map(() => null);
  readonly done: Agg[][] = BLOCK_LEVELS.map(() => []);
  readonly dirty = new Set<number>();

  append(step: number, value: number): void {
    for (let i = 0; i < BLOCK_LEVELS.length; i++) {
      const block = Math.floor(step / BLOCK_LEVELS[i]);
      let agg = this.current[i];
      if (agg === null || agg.block !== block) {
        if (agg !== null) this.done[i].push(agg);
        agg = newAgg(block, step);
        this.current[i] = agg;
      }
      if (Number.isNaN(value)) agg.nan++;
      else {
        agg.count++;
        agg.sum += value;
        if (value < agg.min) agg.min = value;
        if (value > agg.max) agg.max = value;
      }
      agg.last = step;
    }
  }
}

/** Collects one batch's block changes per series, then writes them. */
export class BlockBatch {
  private readonly bySeries = new Map<number, SeriesBlocks>();

  private of(seriesId: number): SeriesBlocks {
    let s = this.bySeries.get(seriesId);
    if (!s) {
      s = new SeriesBlocks();
      this.bySeries.set(seriesId, s);
    }
    return s;
  }

  /** A step above everything stored for this series: merge it incrementally. */
  append(seriesId: number, step: number, value: number): void {
    this.of(seriesId).append(step, value);
  }

  /** A step that may already be stored: recompute its blocks from the points at flush. */
  touch(seriesId: number, step: number): void {
    this.of(seriesId).dirty.add(Math.floor(step / BLOCK_LEVELS[0]));
  }

  flush(st: WriteStatements): void {
    for (const [seriesId, s] of this.bySeries) {
      for (let i = 0; i < BLOCK_LEVELS.length; i++) {
        const cur = s.current[i];
        if (cur) s.done[i].push(cur);
        for (const a of s.done[i]) {
          st.mergeBlock.run(
            seriesId,
            BLOCK_LEVELS[i],
            a.block,
            a.count,
            a.nan,
            a.count > 0 ? a.min : null,
            a.count > 0 ? a.max : null,
            a.sum,
            a.first,
            a.last,
          );
        }
      }
      if (s.dirty.size > 0) rebuild(st, seriesId, s.dirty);
    }
    this.bySeries.clear();
  }
}

function rebuild(st: WriteStatements, seriesId: number, finest: Set<number>): void {
  let blocks = finest;
  const L0 = BLOCK_LEVELS[0];
  for (const block of blocks) {
    st.rebuildBlockFromPoints.run({ series: seriesId, level: L0, block, from: block * L0, to: block * L0 + L0 - 1 });
  }
  for (let i = 1; i < BLOCK_LEVELS.length; i++) {
    const parents = new Set<number>();
    for (const b of blocks) parents.add(Math.floor(b / FANOUT));
    for (const block of parents) {
      st.rebuildBlockFromBlocks.run({
        series: seriesId,
        level: BLOCK_LEVELS[i],
        block,
        finer: BLOCK_LEVELS[i - 1],
        from: block * FANOUT,
        to: block * FANOUT + FANOUT - 1,
      });
    }
    blocks = parents;
  }
}
