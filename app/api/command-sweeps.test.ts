/**
 * Command sweeps over HTTP, called as Next calls the handlers, on a real data home with an admin token: a bad
 * command is a 400 naming every problem, a dry run shows each run's command line, and a share link never sees a
 * command, its program's path, its environment or a token.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContext } from '@/lib/server/context';
import { GET as runGet } from './runs/[id]/route';
import { POST as share } from './shares/route';
import { GET as sweepGet } from './sweeps/[id]/route';
import { POST as sweeps } from './sweeps/route';

const TOKEN = 'command-sweeps-admin-token-0123';
const BASE = 'http://127.0.0.1:3999';
const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (url: string, body: unknown, headers: Record<string, string> = json) =>
  new Request(`${BASE}${url}`, { method: 'POST', body: JSON.stringify(body), headers });

let home: string;
let work: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-command-http-'));
  work = path.join(home, 'project');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'train.py'), 'import sys\n');
  process.env.LAYERLAB_HOME = path.join(home, 'data');
  process.env.LAYERLAB_ADMIN_TOKEN = TOKEN;
  process.env.LAYERLAB_SLOTS = '1';
  getContext();
});
afterAll(() => {
  getContext().conn.sqlite.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const spec = {
  name: 'cmd-http',
  program: 'train.py',
  workdir: '',
  command: ['${env}', '${interpreter}', '${program}', '${args}', '--out=${run_dir}'],
  env: { HF_TOKEN: 'hf_secret_value' },
  train: { steps: 2, dataset: 'alpaca' },
  parameters: { lisa_activated_layers: { values: [1, 2] } },
};

describe('POST /api/sweeps with a command', () => {
  it('answers 400 naming every problem of a bad command', async () => {
    const res = await sweeps(
      post('/api/sweeps', {
        name: 'bad',
        program: 'nope.py',
        workdir: work,
        command: ['${env}', '${interpreter}', '${program}', '${argz}', 7],
        env: { LAYERLAB_URL: 'x' },
        parameters: { gamma: { values: [1] } },
      }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'the sweep spec has 4 problem(s)',
      code: 'invalid_spec',
      problems: [
        { path: 'program', message: `no such file: ${path.join(work, 'nope.py')} (relative to ${work})` },
        {
          path: 'command[3]',
          message:
            'unknown macro ${argz} (known: ${env}, ${interpreter}, ${program}, ${args}, ${args_no_hyphens}, ' +
            '${args_json}, ${args_json_file}, ${run_dir}, ${seed})',
        },
        { path: 'command[4]', message: 'expected text' },
        { path: 'env.LAYERLAB_URL', message: 'LAYERLAB_* variables are set by the server' },
      ],
    });
    const notList = await sweeps(post('/api/sweeps', { ...spec, workdir: work, command: 'python train.py' }));
    expect(notList.status).toBe(400);
    expect((await notList.json()).problems).toEqual([
      {
        path: 'command',
        message:
          'expected a list of strings (an argument vector, never a shell line), e.g. [${env}, ${interpreter}, ' +
          '${program}, ${args}]',
      },
    ]);
  });

  it('refuses a command sweep without the admin credential', async () => {
    const res = await sweeps(post('/api/sweeps', { ...spec, workdir: work }, { 'content-type': 'application/json' }));
    expect(res.status).toBe(401);
  });

  it("shows each run's rendered command in a dry run", async () => {
    const res = await sweeps(post('/api/sweeps?dryRun=1', { ...spec, workdir: work }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { runs: { label: string; command: string[]; commandLine: string }[] };
    expect(body.runs.map((r) => r.commandLine.split(' ').slice(2))).toEqual([
      [
        'train.py',
        '--steps=2',
        '--dataset=alpaca',
        '--lisa_activated_layers=1',
        '--method=lisa',
        '--seed=1',
        '--interval=20',
        "'--out=<run_dir>'",
      ],
      [
        'train.py',
        '--steps=2',
        '--dataset=alpaca',
        '--lisa_activated_layers=2',
        '--method=lisa',
        '--seed=1',
        '--interval=20',
        "'--out=<run_dir>'",
      ],
    ]);
  });

  it('stores the rendered command for the admin; a share link sees neither it, its env nor its paths', async () => {
    const res = await sweeps(post('/api/sweeps', { ...spec, workdir: work }));
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; runs: { id: string }[] };
    const runId = created.runs[0].id;
    const adminRun = await (
      await runGet(new Request(`${BASE}/api/runs/${runId}`, { headers: json }), params(runId))
    ).json();
    expect(adminRun.config.command).toMatchObject({ cwd: work, env: { HF_TOKEN: 'hf_secret_value' } });
    expect(adminRun.config.command.argv.slice(2)).toEqual([
      'train.py',
      '--steps=2',
      '--dataset=alpaca',
      '--lisa_activated_layers=1',
      '--method=lisa',
      '--seed=1',
      '--interval=20',
      `--out=${adminRun.dir}`,
    ]);
    expect(adminRun.config).toMatchObject({ steps: 2, dataset: 'alpaca', gamma: 1, method: 'lisa', seed: 1 });

    const link = await share(post('/api/shares', { path: `/sweeps/${created.id}` }));
    const { token } = (await link.json()) as { token: string };
    const viewer = { 'x-layerlab-share': token };
    const sweepRes = await sweepGet(
      new Request(`${BASE}/api/sweeps/${created.id}`, { headers: viewer }),
      params(created.id),
    );
    const runRes = await runGet(new Request(`${BASE}/api/runs/${runId}`, { headers: viewer }), params(runId));
    expect([sweepRes.status, runRes.status]).toEqual([200, 200]);
    for (const text of [await sweepRes.text(), await runRes.text()]) {
      for (const secret of ['hf_secret_value', 'train.py', work, '"command"', 'LAYERLAB_RUN_TOKEN', '--out='])
        expect(text).not.toContain(secret);
      expect(text).toContain('alpaca');
    }
    // The admin's own read of the sweep keeps the spec's command.
    const own = await (
      await sweepGet(new Request(`${BASE}/api/sweeps/${created.id}`, { headers: json }), params(created.id))
    ).json();
    expect(own.spec.command).toMatchObject({ program: 'train.py', workdir: work });
    await getContext().scheduler.cancel(runId);
  });
});
