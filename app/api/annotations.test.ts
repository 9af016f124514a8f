/**
 * Tags, notes and the runs table over HTTP, called as Next calls the handlers, on a real data home with an admin
 * token: the admin sets them, a share link sees them read-only, the runs table finds runs by them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNanoSweep } from '@/lib/ingest/testing';
import { getContext } from '@/lib/server/context';
import { PUT as runAnnotations } from './runs/[id]/annotations/route';
import { GET as runGet } from './runs/[id]/route';
import { GET as runsGet } from './runs/route';
import { POST as share } from './shares/route';
import { PUT as sweepAnnotations } from './sweeps/[id]/annotations/route';
import { GET as sweepGet } from './sweeps/[id]/route';

const TOKEN = 'annotations-admin-token-0123456789';
const BASE = 'http://127.0.0.1:3998';
const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const put = (url: string, body: unknown, headers: Record<string, string> = admin) =>
  new Request(`${BASE}${url}`, { method: 'PUT', body: JSON.stringify(body), headers });
const get = (url: string, headers: Record<string, string> = admin) => new Request(`${BASE}${url}`, { headers });
const RUN = 's1-lisa-1-2-0-1';

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-annotations-'));
  process.env.LAYERLAB_HOME = home;
  process.env.LAYERLAB_ADMIN_TOKEN = TOKEN;
  seedNanoSweep(getContext().conn.sqlite);
});
afterAll(() => {
  getContext().conn.sqlite.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tags and notes over HTTP', () => {
  it('the admin sets them; run and sweep answers carry them, share links included, read-only', async () => {
    const res = await runAnnotations(
      put(`/api/runs/${RUN}/annotations`, { tags: ['Best', 'γ1'], note: 'keep' }),
      params(RUN),
    );
    expect([res.status, await res.json()]).toEqual([200, { tags: ['best', 'γ1'], note: 'keep' }]);
    const sweepRes = await sweepAnnotations(put('/api/sweeps/s1/annotations', { note: 'nano ablation' }), params('s1'));
    expect(await sweepRes.json()).toEqual({ tags: [], note: 'nano ablation' });

    const link = await share(
      new Request(`${BASE}/api/shares`, { method: 'POST', headers: admin, body: '{"path":"/sweeps/s1"}' }),
    );
    const viewer = { 'x-layerlab-share': ((await link.json()) as { token: string }).token };
    const run = (await (await runGet(get(`/api/runs/${RUN}`, viewer), params(RUN))).json()) as Record<string, unknown>;
    expect(run.annotations).toEqual({ tags: ['best', 'γ1'], note: 'keep' });
    const sweep = (await (await sweepGet(get('/api/sweeps/s1', viewer), params('s1'))).json()) as Record<
      string,
      unknown
    >;
    expect(sweep.annotations).toEqual({ tags: [], note: 'nano ablation' });

    const refused = await runAnnotations(put(`/api/runs/${RUN}/annotations`, { tags: [] }, viewer), params(RUN));
    expect([refused.status, await refused.json()]).toEqual([
      403,
      { error: 'a share link is read-only', code: 'forbidden' },
    ]);
    expect((await runsGet(get('/api/runs', viewer))).status).toBe(403);
  });

  it('refuse bad input with one line naming the problem, and unknown runs with 404', async () => {
    const bad = await runAnnotations(put(`/api/runs/${RUN}/annotations`, { tags: ['no spaces please'] }), params(RUN));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe(
      'invalid tag "no spaces please": a tag is 1 to 40 letters, digits or _ . : + / - (no spaces)',
    );
    const extra = await runAnnotations(put(`/api/runs/${RUN}/annotations`, { colour: 'red' }), params(RUN));
    expect(extra.status).toBe(400);
    const missing = await runAnnotations(put('/api/runs/nope/annotations', { note: 'x' }), params('nope'));
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'run nope not found', code: 'not_found' }]);
  });
});

describe('GET /api/runs', () => {
  it('filters, sorts and pages in one answer, with the tags', async () => {
    const url =
      '/api/runs?status=finished&method=lisa,full&where=config.interval%3D2&sort=eval/loss&dir=asc' +
      '&columns=eval/loss,config.gamma&limit=2';
    const res = await runsGet(get(url));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { total: number; rows: { id: string; tags: string[]; values: object }[] };
    expect(body.total).toBe(4);
    expect(body.rows.map((r) => [r.id, r.values])).toEqual([
      ['s1-lisa-1-2-0-1', { 'eval/loss': 2.121, 'config.gamma': 1 }],
      ['s1-lisa-1-2-0-2', { 'eval/loss': 2.122, 'config.gamma': 1 }],
    ]);
    const tagged = (await (await runsGet(get('/api/runs?tags=best'))).json()) as typeof body;
    expect(tagged.rows.map((r) => [r.id, r.tags])).toEqual([[RUN, ['best', 'γ1']]]);
  });

  it('names a bad parameter', async () => {
    const res = await runsGet(get('/api/runs?sort=no%20such&limit=9999'));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^invalid query: limit: /);
    const field = await runsGet(get('/api/runs?where=config.lr~1'));
    expect(((await field.json()) as { error: string }).error).toMatch(/^invalid filter "config.lr~1"/);
  });
});
