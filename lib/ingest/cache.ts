/**
 * Per-run, in-memory ids for the write path: series id and highest stored step per metric key, norm group ids.
 * Kept per connection; trusted only while runs.last_seq still equals the value it was built at, so a write by
 * another connection or process (or a rolled-back batch) simply reloads it from the database.
 */
import type Database from 'better-sqlite3';
import type { WriteStatements } from './statements';

export interface SeriesState {
  id: number;
  /** Highest step stored in this series, -1 when empty. */
  maxStep: number;
  /** The current batch's last value for `latest`; batchStep is -1 when the batch has not touched the series. */
  batchStep: number;
  batchValue: number;
}

export interface RunState {
  lastSeq: number;
  series: Map<string, SeriesState>;
  groups: Map<string, number>;
  nextPosition: number;
}

const MAX_RUNS = 512;
const caches = new WeakMap<Database.Database, Map<string, RunState>>();

function load(st: WriteStatements, runId: string, lastSeq: number): RunState {
  const series = new Map<string, SeriesState>();
  for (const row of st.seriesOfRun.all(runId) as { id: number; key: string }[]) {
    const maxStep = st.maxStepOfSeries.get(row.id) as number | undefined;
    series.set(row.key, { id: row.id, maxStep: maxStep ?? -1, batchStep: -1, batchValue: NaN });
  }
  const groups = new Map<string, number>();
  let nextPosition = 0;
  for (const g of st.groupsOfRun.all(runId) as { id: number; name: string; position: number }[]) {
    groups.set(g.name, g.id);
    nextPosition = Math.max(nextPosition, g.position + 1);
  }
  return { lastSeq, series, groups, nextPosition };
}

/** The run's state, reloaded when the database moved on without us. Call inside the write transaction. */
export function runState(sqlite: Database.Database, st: WriteStatements, runId: string, lastSeq: number): RunState {
  let perConn = caches.get(sqlite);
  if (!perConn) {
    perConn = new Map();
    caches.set(sqlite, perConn);
  }
  let state = perConn.get(runId);
  if (state && state.lastSeq === lastSeq) {
    perConn.delete(runId); // re-insert: Map order is our LRU order
  } else {
    state = load(st, runId, lastSeq);
  }
  perConn.set(runId, state);
  if (perConn.size > MAX_RUNS) perConn.delete(perConn.keys().next().value as string);
  return state;
}

export function forgetRun(sqlite: Database.Database, runId: string): void {
  caches.get(sqlite)?.delete(runId);
}

export function seriesFor(st: WriteStatements, state: RunState, runId: string, key: string): SeriesState {
  let s = state.series.get(key);
  if (!s) {
    const { id } = st.insertSeries.get(runId, key) as { id: number };
    s = { id, maxStep: -1, batchStep: -1, batchValue: NaN };
    state.series.set(key, s);
  }
  return s;
}

export function groupFor(st: WriteStatements, state: RunState, runId: string, name: string): number {
  let id = state.groups.get(name);
  if (id === undefined) {
    const row = st.insertGroup.get(runId, name, state.nextPosition) as { id: number; position: number };
    id = row.id;
    state.nextPosition = Math.max(state.nextPosition, row.position + 1);
    state.groups.set(name, id);
  }
  return id;
}
