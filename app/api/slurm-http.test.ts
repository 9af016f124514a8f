/**
 * The Slurm executor over HTTP, called as Next calls the handlers, on a real data home and a real single-node Slurm
 * (lib/scheduler/slurm-testing.ts): the sweep shows its jobs, Cancel on a run page is a scancel that ends the run
 * cancelled, and a command sweep's run goes through Slurm too. Without Slurm installed these tests fail, saying
 * what to install.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventsFile, stdoutLog } from '@/lib/runs/layout';
import { type TestCluster, testCluster } from '@/lib/scheduler/slurm-testing';
import { getContext } from '@/lib/server/context';
import { POST as cancel } from './runs/[id]/cancel/route';
import { GET as runGet } from './runs/[id]/route';
import { GET as sweepGet } from './sweeps/[id]/route';
import { POST as sweeps } from './sweeps/route';

const TOKEN = 'slurm-http-admin-token-0123456789';
const BASE = 'http://127.0.0.1:3999';
const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (url: string, body?: unknown) =>
  new Request(`${BASE}${url}`, {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: json,
  });
const get = (url: string) => new Request(`${BASE}${url}`, { headers: json });

let cluster: TestCluster;
let work: string;
beforeAll(() => {
  cluster = testCluster('layerlab-slurm-http-');
  cluster.start();
  work = path.join(cluster.dir, 'project');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'train.sh'), 'echo "args: $*"; echo "run $LAYERLAB_RUN_ID"\n');
  process.env.SLURM_CONF = cluster.env.SLURM_CONF;
  process.env.LAYERLAB_HOME = path.join(cluster.dir, 'data');
  process.env.LAYERLAB_ADMIN_TOKEN = TOKEN;
  process.env.LAYERLAB_SLOTS = '1';
  getContext();
}, 60_000);
afterAll(() => {
  getContext().scheduler.stop();
  getContext().conn.sqlite.close();
  cluster?.stop();
}, 60_000);

interface RunBody {
  id: string;
  status: string;
  failureReason: string | null;
  placement: { executor: string; job?: { id: string; state: string } } | null;
}
const runOf = async (id: string) => (await (await runGet(get(`/api/runs/${id}`), params(id))).json()) as RunBody;

const dirOf = (id: string) =>
  getContext().conn.sqlite.prepare('SELECT dir FROM runs WHERE id = ?').pluck().get(id) as string;

/** Tick the server's scheduler until `check` passes. */
const until = (check: () => void | Promise<void>, timeout = 120_000) =>
  vi.waitFor(
    async () => {
      getContext().scheduler.tick();
      await check();
    },
    { timeout, interval: 200 },
  );

describe('Slurm over HTTP', { timeout: 180_000 }, () => {
  it('shows the jobs in the sweep, and Cancel on the run page is a scancel: the run ends cancelled', async () => {
    const res = await sweeps(
      post('/api/sweeps', {
        name: 'slurm-http',
        model: { preset: 'nano' },
        data: { preset: 'instruct' },
        seeds: [1],
        pretrain: { steps: 1, batch: 2, seq: 16 },
        train: { steps: 5000, batch: 2, seq: 16, eval_every: 1000, eval_records: 8, checkpoint_every: 1000 },
        parameters: { gamma: { value: 1 }, interval: { value: 2 } },
        baselines: [],
        executor: { kind: 'slurm' },
      }),
    );
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; runs: { id: string; key: string }[] };
    const run = created.runs.find((r) => r.key !== 'pretrain')!;
    // One tick submits both: the fine-tune waits in Slurm's queue behind the pretrain's job (afterok).
    await until(async () => {
      const body = (await (await sweepGet(get(`/api/sweeps/${created.id}`), params(created.id))).json()) as {
        placement: { executor: string; jobs: { runId: string; id: string; state: string }[] };
      };
      expect(body.placement.executor).toBe('slurm');
      expect(body.placement.jobs.map((j) => j.runId).sort()).toEqual(created.runs.map((r) => r.id).sort());
    }, 30_000);
    const dir = dirOf(run.id);
    await until(() =>
      expect(fs.existsSync(eventsFile(dir)) && fs.readFileSync(eventsFile(dir), 'utf8')).toMatch(/"type":"metrics"/),
    );
    const job = (await runOf(run.id)).placement!.job!.id;
    const answer = await cancel(post(`/api/runs/${run.id}/cancel`), params(run.id));
    expect(answer.status).toBe(200);
    expect(await runOf(run.id)).toMatchObject({ status: 'cancelled', failureReason: 'cancelled' });
    const state = execFileSync('scontrol', ['show', 'job', '-o', job], { env: cluster.env, encoding: 'utf8' });
    expect(state).toMatch(/JobState=CANCELLED/);
    const last = fs.readFileSync(eventsFile(dir), 'utf8').trim().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({ type: 'failed', reason: 'cancelled' });
  });

  it('runs a command sweep’s run as a Slurm job: its program’s output and exit code', async () => {
    const res = await sweeps(
      post('/api/sweeps', {
        name: 'slurm-command',
        program: 'train.sh',
        workdir: work,
        command: ['/bin/sh', '${program}', '${args}'],
        train: { steps: 2 },
        parameters: { lisa_activated_layers: { values: [1] } },
        executor: { kind: 'slurm' },
      }),
    );
    expect(res.status).toBe(201);
    const { runs } = (await res.json()) as { runs: { id: string }[] };
    const id = runs[0].id;
    await until(async () => expect((await runOf(id)).status).toBe('finished'));
    const dir = dirOf(id);
    expect(fs.readFileSync(stdoutLog(dir), 'utf8')).toContain('--lisa_activated_layers=1');
    expect(fs.readFileSync(stdoutLog(dir), 'utf8')).toContain(`run ${id}`);
    expect(fs.readFileSync(path.join(dir, 'slurm-job.sh'), 'utf8')).toContain('/bin/sh');
  });
});
