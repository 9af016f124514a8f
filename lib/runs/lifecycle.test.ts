// Run status transitions on a real SQLite file: the table is walked pair by pair (every cause from every
// status), then each cause's exact column effects are checked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_STATUSES, type RunStatus } from '../../db/schema';
import { type TempDatabase, tempDatabase } from '../ingest/testing';
import {
  type Cause,
  createRun,
  type NewRun,
  TRANSITIONS,
  type TransitionParams,
  transition,
  tryTransition,
} from './lifecycle';

const TIME = '2026-01-01T00:00:05.000Z';
const START = { backend: 'wasm', gpu: 0, time: TIME, totalSteps: 50, evalRecords: 8, evalHash: 'ab' } as const;
const SAMPLE: { [C in Cause]: TransitionParams[C] } = {
  claim: { pid: 4242, slot: 'cpu0' },
  started: START,
  resumed: START,
  finished: { summary: '{"train/loss":1}', time: TIME },
  failed: { reason: 'oom', message: 'out of memory', time: TIME },
  diverged: { reason: 'diverged', message: 'loss is NaN', time: TIME },
  cancelled: { reason: 'cancelled', message: 'stopped by SIGTERM', time: TIME },
  retry: {},
  'exited-ok': {},
  'exited-failing': { message: 'the program exited with code 1' },
  'give-up': { message: 'the trainer died 3 times' },
  'job-ended': { reason: 'timeout', message: 'Slurm job 7 ended TIMEOUT' },
  'job-requeued': {},
  refuse: { message: 'its base run r-b ended failed' },
  cancel: {},
  requeue: {},
};

interface Row {
  status: RunStatus;
  pid: number | null;
  slot: string | null;
  attempts: number;
  launches: number;
  backend: string | null;
  gpu: number | null;
  total_steps: number | null;
  eval_records: number | null;
  eval_hash: string | null;
  summary: string | null;
  failure_reason: string | null;
  failure_message: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
}

let t: TempDatabase;
beforeEach(() => {
  t = tempDatabase('layerlab-lifecycle-');
});
afterEach(() => t.close());

const row = (id = 'r-1') => t.conn.sqlite.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row;
const base: NewRun = { id: 'r-1', kind: 'lisa', label: 'r-1', config: '{}', configHash: 'h' };
/** A run in a given status, with the other columns as a run in that status would have them. */
function runIn(status: RunStatus, columns: Partial<Row> = {}): void {
  createRun(t.conn.sqlite, base);
  const set = { status, ...columns };
  const keys = Object.keys(set);
  t.conn.sqlite
    .prepare(`UPDATE runs SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = 'r-1'`)
    .run(set as Record<string, unknown>);
}

const pairs = (Object.keys(TRANSITIONS) as Cause[]).flatMap((cause) =>
  RUN_STATUSES.map((from) => ({ cause, from, to: TRANSITIONS[cause].to })),
);

describe('the transition table', () => {
  it('is the lifecycle the scheduler and the write path had', () => {
    const any = RUN_STATUSES.join(' ');
    const table = Object.fromEntries(
      Object.entries(TRANSITIONS).map(([cause, t]) => [cause, `${t.from.join(' ')} -> ${t.to}`]),
    );
    expect(table).toEqual({
      claim: 'queued -> running',
      started: 'queued running -> running',
      resumed: `${any} -> running`,
      finished: `${any} -> finished`,
      failed: `${any} -> failed`,
      diverged: `${any} -> diverged`,
      cancelled: `${any} -> cancelled`,
      retry: 'running -> queued',
      'exited-ok': 'running -> finished',
      'exited-failing': 'running -> failed',
      'give-up': 'running -> failed',
      'job-ended': 'running -> failed',
      'job-requeued': 'cancelled -> running',
      refuse: 'queued -> failed',
      cancel: 'queued running cancelled -> cancelled',
      requeue: 'failed cancelled diverged -> queued',
    });
  });

  it.each(pairs)('$cause from $from', ({ cause, from, to }) => {
    runIn(from);
    const before = row();
    if ((TRANSITIONS[cause].from as readonly RunStatus[]).includes(from)) {
      transition(t.conn.sqlite, 'r-1', cause, SAMPLE[cause]);
      expect(row().status).toBe(to);
    } else {
      expect(tryTransition(t.conn.sqlite, 'r-1', cause, SAMPLE[cause])).toBe(false);
      expect(() => transition(t.conn.sqlite, 'r-1', cause, SAMPLE[cause])).toThrow(
        `run r-1 cannot go from ${from} to ${to} (${cause})`,
      );
      expect(row()).toEqual(before);
    }
  });

  it('names a run that does not exist', () => {
    expect(() => transition(t.conn.sqlite, 'r-none', 'cancel', {})).toThrow('run r-none not found');
    expect(tryTransition(t.conn.sqlite, 'r-none', 'cancel', {})).toBe(false);
  });
});

describe('what each transition writes', () => {
  it('claim: pid and slot, one more attempt, the first start time kept', () => {
    runIn('queued', { attempts: 1, started_at: '2025-12-31T00:00:00.000Z' });
    transition(t.conn.sqlite, 'r-1', 'claim', { pid: 7, slot: 'gpu1' });
    expect(row()).toMatchObject({ pid: 7, slot: 'gpu1', attempts: 2, started_at: '2025-12-31T00:00:00.000Z' });
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'queued', started_at = NULL WHERE id = 'r-1'`).run();
    transition(t.conn.sqlite, 'r-1', 'claim', { pid: 8, slot: 'gpu0' });
    expect(row()).toMatchObject({ pid: 8, attempts: 3 });
    expect(row().started_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('started: backend and eval set recorded, an earlier end cleared, known values kept', () => {
    runIn('cancelled', {
      started_at: '2025-12-31T00:00:00.000Z',
      finished_at: '2025-12-31T01:00:00.000Z',
      failure_reason: 'cancelled',
      failure_message: 'x',
      total_steps: 300,
      eval_hash: 'old',
      pid: 9,
      attempts: 2,
    });
    transition(t.conn.sqlite, 'r-1', 'resumed', { ...START, evalHash: null });
    expect(row()).toMatchObject({
      status: 'running',
      backend: 'wasm',
      gpu: 0,
      started_at: '2025-12-31T00:00:00.000Z',
      finished_at: null,
      failure_reason: null,
      failure_message: null,
      total_steps: 300,
      eval_records: 8,
      eval_hash: 'old',
      pid: 9,
      attempts: 2,
    });
  });

  it('finished and failed: the event time ends the run', () => {
    runIn('running');
    transition(t.conn.sqlite, 'r-1', 'finished', SAMPLE.finished);
    expect(row()).toMatchObject({ status: 'finished', summary: '{"train/loss":1}', finished_at: TIME });
    transition(t.conn.sqlite, 'r-1', 'failed', SAMPLE.failed);
    expect(row()).toMatchObject({
      status: 'failed',
      failure_reason: 'oom',
      failure_message: 'out of memory',
      finished_at: TIME,
    });
  });

  it('retry keeps the attempts; give-up ends the run now', () => {
    runIn('running', { pid: 5, slot: 'cpu0', attempts: 2 });
    transition(t.conn.sqlite, 'r-1', 'retry', {});
    expect(row()).toMatchObject({ status: 'queued', pid: null, slot: null, attempts: 2, finished_at: null });
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'running', pid = 6, slot = 'cpu1' WHERE id = 'r-1'`).run();
    transition(t.conn.sqlite, 'r-1', 'give-up', { message: 'died' });
    expect(row()).toMatchObject({
      status: 'failed',
      pid: null,
      slot: null,
      attempts: 2,
      failure_reason: 'error',
      failure_message: 'died',
    });
    expect(row().finished_at).not.toBeNull();
  });

  it("a command run's exit code ends it now and frees its process, without a summary", () => {
    runIn('running', { pid: 5, slot: 'cpu0', attempts: 1 });
    transition(t.conn.sqlite, 'r-1', 'exited-ok', {});
    expect(row()).toMatchObject({ status: 'finished', pid: null, slot: null, attempts: 1, summary: null });
    expect(row().finished_at).not.toBeNull();
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'running', pid = 6, slot = 'cpu1' WHERE id = 'r-1'`).run();
    transition(t.conn.sqlite, 'r-1', 'exited-failing', { message: 'the program exited with code 2' });
    expect(row()).toMatchObject({
      status: 'failed',
      pid: null,
      slot: null,
      failure_reason: 'error',
      failure_message: 'the program exited with code 2',
    });
  });

  it('refuse fails a queued run without touching its attempts', () => {
    runIn('queued', { attempts: 1 });
    transition(t.conn.sqlite, 'r-1', 'refuse', { message: 'no base' });
    expect(row()).toMatchObject({ status: 'failed', attempts: 1, failure_reason: 'error', failure_message: 'no base' });
    expect(row().finished_at).not.toBeNull();
  });

  it('cancel keeps what the trainer reported first and frees the process', () => {
    runIn('cancelled', {
      pid: 3,
      slot: 'cpu0',
      failure_reason: 'oom',
      failure_message: 'stopped',
      finished_at: TIME,
    });
    transition(t.conn.sqlite, 'r-1', 'cancel', {});
    expect(row()).toMatchObject({
      status: 'cancelled',
      pid: null,
      slot: null,
      failure_reason: 'oom',
      failure_message: 'stopped',
      finished_at: TIME,
    });
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'queued', failure_reason = NULL, finished_at = NULL`).run();
    transition(t.conn.sqlite, 'r-1', 'cancel', {});
    expect(row()).toMatchObject({ status: 'cancelled', failure_reason: 'cancelled' });
    expect(row().finished_at).not.toBeNull();
  });

  it('requeue starts the attempts again and clears the end', () => {
    runIn('diverged', { attempts: 3, failure_reason: 'diverged', failure_message: 'NaN', finished_at: TIME });
    transition(t.conn.sqlite, 'r-1', 'requeue', {});
    expect(row()).toMatchObject({
      status: 'queued',
      attempts: 0,
      failure_reason: null,
      failure_message: null,
      finished_at: null,
    });
  });
});

describe('launches', () => {
  it('count every launch of the trainer: a cancel and resume adds one, where attempts start again', () => {
    runIn('queued');
    transition(t.conn.sqlite, 'r-1', 'claim', { pid: 7, slot: 'cpu0' });
    expect(row()).toMatchObject({ attempts: 1, launches: 1 });
    transition(t.conn.sqlite, 'r-1', 'cancel', {});
    transition(t.conn.sqlite, 'r-1', 'requeue', {});
    expect(row()).toMatchObject({ status: 'queued', attempts: 0, launches: 1 });
    transition(t.conn.sqlite, 'r-1', 'claim', { pid: 8, slot: 'cpu0' });
    // The retry budget (attempts) counts since the resume; launches count them all.
    expect(row()).toMatchObject({ attempts: 1, launches: 2 });
  });
});

describe('createRun', () => {
  it('stores a queued run with what it is given and the defaults for the rest', () => {
    createRun(t.conn.sqlite, {
      id: 'r-2',
      sweepId: null,
      kind: 'external',
      label: 'mine',
      config: '{"seed":3}',
      configHash: 'h2',
      seed: 3,
      totalSteps: 10,
      tokenHash: 'th',
    });
    expect(t.conn.sqlite.prepare('SELECT * FROM runs WHERE id = ?').get('r-2')).toMatchObject({
      kind: 'external',
      label: 'mine',
      seed: 3,
      gamma: null,
      status: 'queued',
      depends_on: null,
      dir: null,
      attempts: 0,
      total_steps: 10,
      events_offset: 0,
      last_seq: -1,
      token_hash: 'th',
      started_at: null,
    });
  });
});
