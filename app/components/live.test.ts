import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { endScope, liveInterval, RunEndWatch } from '@/lib/views/live';
import { refetchWhenRunsEnd } from './live';

describe('RunEndWatch', () => {
  it('reports a run once when it goes from live to final, not when first seen final', () => {
    const w = new RunEndWatch();
    expect(
      w.observe([
        { id: 'a', status: 'running' },
        { id: 'b', status: 'finished' },
      ]),
    ).toEqual([]);
    expect(
      w.observe([
        { id: 'a', status: 'running' },
        { id: 'b', status: 'finished' },
      ]),
    ).toEqual([]);
    for (const final of ['finished', 'failed', 'cancelled', 'diverged']) {
      const v = new RunEndWatch();
      v.observe([{ id: 'a', status: 'queued' }]);
      expect(v.observe([{ id: 'a', status: final }]).map((r) => r.id)).toEqual(['a']);
      expect(v.observe([{ id: 'a', status: final }])).toEqual([]);
    }
    expect(w.observe([{ id: 'a', status: 'finished', sweepId: 's1' }]).map((r) => r.id)).toEqual(['a']);
  });
  it('scopes the refetch to the ended runs and their sweeps', () => {
    expect([...endScope([{ id: 'a', status: 'finished', sweepId: 's1' }])]).toEqual(['a', 's1']);
    expect([...endScope([{ id: 'a', status: 'failed' }], 's2')]).toEqual(['a', 's2']);
    expect(endScope([], 's2').size).toBe(0);
    expect(liveInterval(true)).toBe(2000);
    expect(liveInterval(false)).toBe(false);
  });
});

describe('refetchWhenRunsEnd', () => {
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('refetches every open query of a run and its sweep once when the run ends, and nothing else', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const stop = refetchWhenRunsEnd(client);
    let status = 'running';
    const calls: Record<string, number> = { logs: 0, table: 0, other: 0 };
    const observe = (queryKey: string[], name: string) => {
      const o = new QueryObserver(client, { queryKey, queryFn: async () => ++calls[name], staleTime: Infinity });
      return o.subscribe(() => {});
    };
    const off = [
      observe(['logs', 'r1'], 'logs'),
      observe(['table', 's1', 'eval/loss'], 'table'),
      observe(['logs', 'r2'], 'other'),
    ];
    const run = new QueryObserver(client, {
      queryKey: ['run', 'r1'],
      queryFn: async () => ({ id: 'r1', status, sweepId: 's1' }),
    });
    off.push(run.subscribe(() => {}));
    await settle();
    expect(calls).toEqual({ logs: 1, table: 1, other: 1 });

    await run.refetch();
    await settle();
    expect(calls).toEqual({ logs: 1, table: 1, other: 1 });

    status = 'finished';
    await run.refetch();
    await settle();
    expect(calls).toEqual({ logs: 2, table: 2, other: 1 });

    await run.refetch();
    await settle();
    expect(calls).toEqual({ logs: 2, table: 2, other: 1 });
    off.forEach((f) => f());
    stop();
    client.clear();
  });

  it('refetches a sweep’s views when one of its runs ends', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const stop = refetchWhenRunsEnd(client);
    const runs = [
      { id: 'a', status: 'finished' },
      { id: 'b', status: 'running' },
    ];
    let series = 0;
    const s = new QueryObserver(client, {
      queryKey: ['sweep-series', 's9', 'eval/loss'],
      queryFn: async () => ++series,
      staleTime: Infinity,
    });
    const sweep = new QueryObserver(client, {
      queryKey: ['sweep', 's9'],
      queryFn: async () => ({ id: 's9', runs: runs.map((r) => ({ ...r })) }),
    });
    const off = [s.subscribe(() => {}), sweep.subscribe(() => {})];
    await settle();
    expect(series).toBe(1);
    runs[1].status = 'finished';
    await sweep.refetch();
    await settle();
    expect(series).toBe(2);
    off.forEach((f) => f());
    stop();
    client.clear();
  });
});
