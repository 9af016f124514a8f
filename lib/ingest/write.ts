/**
 * The one write path: every event type, from the file tailer and from HTTP, lands here.
 * One synchronous better-sqlite3 transaction per batch with prepared statements.
 *
 * Sequence rule (idempotency): events are applied in seq order (a batch is sorted by seq first, so its own
 * order does not matter). An event with seq <= runs.last_seq, or a repeat within the batch, is a duplicate and
 * skipped; that is what makes a retried HTTP batch or a re-read file region harmless. An event with
 * seq > last_seq + 1 is stored, and the missing range is reported in `gaps` and noted in run_logs (level warn):
 * the events file is the durable log, so a gap is visible, never silently papered over. A missing event that
 * arrives after a later one was stored is a duplicate by this rule; `gaps` is how a client learns it must
 * resend in order.
 */
import type Database from 'better-sqlite3';
import type { RunStatus } from '../../db/schema';
import type { NormEntry, RunEvent } from '../protocol';
import { toJson } from '../protocol/json';
import { failureCause, TRANSITIONS, transition, tryTransition } from '../runs/lifecycle';
import { BlockBatch } from './blocks';
import { forgetRun, groupFor, runState, seriesFor, type RunState, type SeriesState } from './cache';
import { gapNoteSeq, writeNote } from './notes';
import { POINT_ROWS, writeStatements, type WriteStatements } from './statements';

export interface SeqGap {
  /** First missing seq (inclusive). */
  from: number;
  /** Last missing seq (inclusive). */
  to: number;
}

export interface IngestResult {
  /** Events applied. */
  stored: number;
  /** Events skipped because their seq was already stored (or repeated in the batch). */
  duplicates: number;
  /** True when the batch was not in seq order and was sorted before applying. */
  reordered: boolean;
  gaps: SeqGap[];
  /** Metric and eval values written (one per key per event). */
  points: number;
  /** Layer-norm rows written (groups and modules). */
  normPoints: number;
  lastSeq: number;
  /** Step of the last applied event that has one; null when none did. */
  lastStep: number | null;
  /** The run's status after the batch when an event changed it, else null. */
  status: RunStatus | null;
}

export class IngestError extends Error {
  constructor(
    readonly code: 'not_found',
    message: string,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}

function inSeqOrder(events: readonly RunEvent[]): { ordered: readonly RunEvent[]; reordered: boolean } {
  for (let i = 1; i < events.length; i++) {
    if (events[i].seq < events[i - 1].seq) {
      return { ordered: [...events].sort((a, b) => a.seq - b.seq), reordered: true };
    }
  }
  return { ordered: events, reordered: false };
}

class Batch {
  readonly blocks = new BlockBatch();
  /** Series touched by this batch, for the `latest` upserts at the end. */
  readonly touched: { key: string; s: SeriesState }[] = [];
  /** Appended points not yet inserted, per series id: written POINT_ROWS at a time. */
  private readonly pending = new Map<number, number[]>();
  private pendingCount = 0;
  readonly result: IngestResult;

  constructor(
    readonly sqlite: Database.Database,
    readonly st: WriteStatements,
    readonly state: RunState,
    readonly runId: string,
    lastSeq: number,
    reordered: boolean,
  ) {
    this.result = {
      stored: 0,
      duplicates: 0,
      reordered,
      gaps: [],
      points: 0,
      normPoints: 0,
      lastSeq,
      lastStep: null,
      status: null,
    };
  }

  values(step: number, values: Record<string, number>): void {
    const { st, state, runId } = this;
    for (const key in values) {
      const value = values[key];
      const s = seriesFor(st, state, runId, key);
      if (step > s.maxStep) {
        // above every stored step: no conflict possible
        const sv = this.pending.get(s.id);
        if (sv) sv.push(step, value);
        else this.pending.set(s.id, [step, value]);
        this.pendingCount++;
        this.blocks.append(s.id, step, value);
        s.maxStep = step;
      } else {
        this.insertPending(); // the step may be one of them
        st.upsertPoint.run(s.id, step, value);
        this.blocks.touch(s.id, step);
      }
      if (s.batchStep < 0) this.touched.push({ key, s });
      s.batchStep = step;
      s.batchValue = value;
      this.result.points++;
    }
  }

  /** Insert the pending appended points, series by series (the points table's key order), each in step order. */
  insertPending(): void {
    if (this.pendingCount === 0) return;
    const rows = new Array<number>(3 * POINT_ROWS);
    let r = 0;
    for (const id of [...this.pending.keys()].sort((a, b) => a - b)) {
      const sv = this.pending.get(id)!; // step, value, step, value… in step order (appends only)
      for (let k = 0; k < sv.length; k += 2) {
        rows[r++] = id;
        rows[r++] = sv[k];
        rows[r++] = sv[k + 1];
        if (r === rows.length) {
          this.st.insertPoints.run(rows);
          r = 0;
        }
      }
    }
    for (let k = 0; k < r; k += 3) this.st.insertPoint.run(rows[k], rows[k + 1], rows[k + 2]);
    this.pending.clear();
    this.pendingCount = 0;
  }

  norms(step: number, entries: Record<string, NormEntry>): void {
    for (const name in entries) {
      const n = entries[name];
      const id = groupFor(this.st, this.state, this.runId, name);
      const trained = n.grad !== undefined;
      this.st.upsertNorm.run(id, step, n.weight, n.update, n.trainable, trained ? n.grad : null, trained ? 1 : 0);
      this.result.normPoints++;
    }
  }

  apply(e: RunEvent): void {
    const { sqlite, st, runId } = this;
    switch (e.type) {
      case 'metrics':
      case 'eval':
        this.values(e.step, e.values);
        break;
      case 'layer_norms':
        this.norms(e.step, e.groups);
        if (e.modules) this.norms(e.step, e.modules);
        break;
      case 'run_started': {
        for (const g of e.model.groups) groupFor(st, this.state, runId, g);
        const steps = typeof e.config.steps === 'number' ? e.config.steps : null;
        const ev = e.evalSet;
        // A late fresh start is refused once the run has ended (lib/runs/lifecycle.ts): it cannot undo a cancel.
        const started = tryTransition(sqlite, runId, e.resumedFrom !== undefined ? 'resumed' : 'started', {
          backend: e.backend.name,
          gpu: e.backend.gpu ? 1 : 0,
          time: e.time,
          totalSteps: steps,
          evalRecords: ev?.records ?? null,
          evalHash: ev?.hash ?? null,
        });
        if (started) this.result.status = 'running';
        break;
      }
      case 'lisa_period':
        st.upsertPeriod.run(
          runId,
          e.period,
          e.step,
          JSON.stringify(e.active),
          e.reset ? 1 : 0,
          e.modules ? JSON.stringify(e.modules) : null,
          e.scores ? toJson(e.scores) : null,
        );
        break;
      case 'checkpoint':
        st.upsertCheckpoint.run(runId, e.step, e.path, e.bytes, e.time);
        break;
      case 'log':
        st.upsertLog.run(runId, e.seq, e.step ?? null, e.level, e.message, e.time);
        break;
      case 'finished':
        transition(sqlite, runId, 'finished', { summary: toJson(e.summary), time: e.time });
        this.result.status = 'finished';
        break;
      case 'failed': {
        const cause = failureCause(e.reason);
        transition(sqlite, runId, cause, { reason: e.reason, message: e.message, time: e.time });
        this.result.status = TRANSITIONS[cause].to;
        break;
      }
    }
  }

  run(events: readonly RunEvent[]): IngestResult {
    const r = this.result;
    for (const e of events) {
      if (e.seq <= r.lastSeq) {
        r.duplicates++;
        continue;
      }
      if (e.seq > r.lastSeq + 1) {
        const gap = { from: r.lastSeq + 1, to: e.seq - 1 };
        r.gaps.push(gap);
        writeNote(
          this.st,
          this.runId,
          gapNoteSeq(e.seq),
          'warn',
          `events ${gap.from}..${gap.to} missing before seq ${e.seq}`,
        );
      }
      this.apply(e);
      r.lastSeq = e.seq;
      r.stored++;
      if ('step' in e && e.step !== undefined) r.lastStep = e.step;
    }
    this.insertPending();
    this.blocks.flush(this.st);
    for (const { key, s } of this.touched) {
      this.st.upsertLatest.run(this.runId, key, s.batchStep, s.batchValue);
      s.batchStep = -1;
    }
    if (r.stored > 0) this.st.runProgress.run(r.lastSeq, r.lastStep, this.runId);
    this.state.lastSeq = r.lastSeq;
    return r;
  }
}

type Tx = (runId: string, events: readonly RunEvent[], reordered: boolean) => IngestResult;
const transactions = new WeakMap<Database.Database, Tx>();

function transactionOf(sqlite: Database.Database): Tx {
  let tx = transactions.get(sqlite);
  if (!tx) {
    const st = writeStatements(sqlite);
    const fn = sqlite.transaction((runId: string, events: readonly RunEvent[], reordered: boolean) => {
      const head = st.runHead.get(runId) as { lastSeq: number; status: RunStatus } | undefined;
      if (!head) throw new IngestError('not_found', `run ${runId} does not exist`);
      const state = runState(sqlite, st, runId, head.lastSeq);
      return new Batch(sqlite, st, state, runId, head.lastSeq, reordered).run(events);
    });
    // IMMEDIATE: take the write lock before reading last_seq, so two writers cannot both accept the same seq.
    tx = fn.immediate as Tx;
    transactions.set(sqlite, tx);
  }
  return tx;
}

/**
 * Store a batch of one run's events (idempotent on seq; see the rule above). Synchronous; one transaction,
 * or a savepoint when called inside one (the tailer advances the file offset in the same transaction).
 * Throws IngestError('not_found') for an unknown run; nothing is written then.
 */
export function ingestEvents(sqlite: Database.Database, runId: string, events: readonly RunEvent[]): IngestResult {
  const { ordered, reordered } = inSeqOrder(events);
  try {
    return transactionOf(sqlite)(runId, ordered, reordered);
  } catch (e) {
    forgetRun(sqlite, runId);
    throw e;
  }
}
