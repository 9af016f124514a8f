/**
 * The write and export handlers answer with exact statuses, headers and bodies (docs/api.md): called as
 * Next calls them, on a real data home with an admin token. Error bodies are compared byte for byte.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBuilder, insertRun, seedNanoSweep } from '@/lib/ingest/testing';
import { getContext } from '@/lib/server/context';
import { GET as exportGet } from './export/route';
import { POST as login } from './login/route';
import { POST as cancel } from './runs/[id]/cancel/route';
import { POST as events } from './runs/[id]/events/route';
import { POST as resume } from './runs/[id]/resume/route';
import { POST as register } from './runs/route';
import { DELETE as revoke } from './shares/[id]/route';
import { POST as share } from './shares/route';
import { GET as sweepGet } from './sweeps/[id]/route';
import { GET as table } from './sweeps/[id]/table/route';

const TOKEN = 'responses-admin-token-0123456789';
const BASE = 'http://127.0.0.1:3999';
const admin = { authorization: `Bearer ${TOKEN}` };
const json = { ...admin, 'content-type': 'application/json' };
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (url: string, body: BodyInit | null, headers: Record<string, string> = json) =>
  new Request(`${BASE}${url}`, { method: 'POST', body, headers });
const get = (url: string, headers: Record<string, string> = admin) => new Request(`${BASE}${url}`, { headers });
/** A body that declares no length and arrives in chunks, like a chunked upload. */
const streamed = (bytes: number) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let left = bytes; left > 0; left -= 4096) c.enqueue(new Uint8Array(Math.min(4096, left)).fill(120));
      c.close();
    },
  });
const streamedPost = (url: string, bytes: number) =>
  new Request(`${BASE}${url}`, { method: 'POST', body: streamed(bytes), headers: json, duplex: 'half' } as RequestInit);

async function answer(res: Response | Promise<Response>): Promise<[number, string]> {
  const r = await res;
  return [r.status, await r.text()];
}

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-responses-'));
  process.env.LAYERLAB_HOME = home;
  process.env.LAYERLAB_ADMIN_TOKEN = TOKEN;
  const { sqlite } = getContext().conn;
  seedNanoSweep(sqlite);
  insertRun(sqlite, { id: 'ext-done', kind: 'external' });
  sqlite.prepare(`UPDATE runs SET status = 'finished' WHERE id = 'ext-done'`).run();
});
afterAll(() => {
  getContext().conn.sqlite.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('POST /api/runs', () => {
  it('registers a run, with an empty body meaning no fields', async () => {
    const res = await register(post('/api/runs', ''));
    expect(res.status).toBe(201);
    expect(Object.keys(await res.json())).toEqual(['id', 'token']);
  });

  it('refuses bad JSON, a bad schema, an unknown sweep, a big body and a missing credential', async () => {
    expect(await answer(register(post('/api/runs', '{"label":')))).toEqual([
      400,
      '{"error":"body is not valid JSON","code":"bad_request"}',
    ]);
    expect(await answer(register(post('/api/runs', '{"kind":"dpo","x":1}')))).toEqual([
      400,
      '{"error":"invalid run registration","code":"bad_request","problems":[{"path":"kind","message":' +
        '"Invalid option: expected one of \\"lisa\\"|\\"full\\"|\\"lora\\"|\\"pretrain\\"|\\"external\\""},' +
        '{"path":"","message":"Unrecognized key: \\"x\\""}]}',
    ]);
    expect(await answer(register(post('/api/runs', '[1]')))).toEqual([
      400,
      '{"error":"invalid run registration","code":"bad_request","problems":[{"path":"",' +
        '"message":"Invalid input: expected object, received array"}]}',
    ]);
    expect(await answer(register(post('/api/runs', '{"sweepId":"nope"}')))).toEqual([
      404,
      '{"error":"sweep nope not found","code":"not_found"}',
    ]);
    expect(await answer(register(post('/api/runs', 'x'.repeat(64 * 1024 + 1))))).toEqual([
      413,
      '{"error":"request body over 65536 bytes","code":"too_large"}',
    ]);
    expect(await answer(register(streamedPost('/api/runs', 70_000)))).toEqual([
      413,
      '{"error":"request body over 65536 bytes","code":"too_large"}',
    ]);
    expect(await answer(register(post('/api/runs', '{}', { 'content-type': 'application/json' })))).toEqual([
      401,
      '{"error":"sign in at /login, or send Authorization: Bearer <LAYERLAB_ADMIN_TOKEN>","code":"unauthorized"}',
    ]);
  });
});

describe('POST /api/runs/:id/events', () => {
  it('stores events with the run token and refuses others', async () => {
    const reg = await register(post('/api/runs', '{"label":"ext"}'));
    const { id, token } = (await reg.json()) as { id: string; token: string };
    const bearer = { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' };
    const line = JSON.stringify(new EventBuilder().started());
    expect(await answer(events(post(`/api/runs/${id}/events`, line, bearer), params(id)))).toEqual([
      200,
      '{"stored":1,"duplicates":0,"reordered":false,"gaps":[],"points":0,"normPoints":0,"lastSeq":0,' +
        '"lastStep":null,"status":"running","errors":[]}',
    ]);
    expect(await answer(events(post(`/api/runs/${id}/events`, 'nope\n{}', bearer), params(id)))).toEqual([
      400,
      '{"stored":0,"duplicates":0,"reordered":false,"gaps":[],"points":0,"normPoints":0,"lastSeq":0,' +
        '"lastStep":null,"status":null,"errors":[{"line":1,"message":"not valid JSON: nope"},{"line":2,' +
        "\"message\":\"invalid event: type: Invalid discriminator value. Expected 'run_started' | 'metrics' | " +
        "'eval' | 'layer_norms' | 'lisa_period' | 'checkpoint' | 'log' | 'finished' | 'failed'\"}]}",
    ]);
    expect(await answer(events(post(`/api/runs/${id}/events`, line, admin), params(id)))).toEqual([
      401,
      `{"error":"a valid ingest token for run ${id} is required (Authorization: Bearer ` +
        `<token>)","code":"unauthorized"}`,
    ]);
    const big = new Request(`${BASE}/api/runs/${id}/events`, {
      method: 'POST',
      body: 'x',
      headers: { ...bearer, 'content-length': String((8 << 20) + 1) },
    });
    expect(await answer(events(big, params(id)))).toEqual([
      413,
      '{"error":"request body over 8388608 bytes","code":"too_large"}',
    ]);
  });
});

describe('POST /api/shares', () => {
  it('creates a link on the host the client used', async () => {
    const res = await share(post('/api/shares', '{"path":"/sweeps/s1/table"}', { ...json, host: 'lab.example:8080' }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; url: string; path: string; expiresAt: null };
    expect(body.url).toMatch(/^http:\/\/lab\.example:8080\/s\/[A-Za-z0-9_-]{43}$/);
    expect(body.path).toBe('/sweeps/s1/table');
    expect(
      await answer(revoke(new Request(`${BASE}/api/shares/${body.id}`, { headers: admin }), params(body.id))),
    ).toEqual([204, '']);
  });

  it('refuses bad JSON, an empty body, a bad schema, a bad path, an unknown sweep and a big body', async () => {
    const notJson = '{"error":"body must be JSON: {\\"path\\": \\"/sweeps/<id>/table\\"}","code":"bad_request"}';
    expect(await answer(share(post('/api/shares', '{path')))).toEqual([400, notJson]);
    expect(await answer(share(post('/api/shares', '')))).toEqual([400, notJson]);
    expect(await answer(share(post('/api/shares', '{"path":"/sweeps/s1","expiresInDays":-1,"x":1}')))).toEqual([
      400,
      '{"error":"invalid share request","code":"bad_request","problems":[{"path":"expiresInDays",' +
        '"message":"Too small: expected number to be >0"},{"path":"","message":"Unrecognized key: \\"x\\""}]}',
    ]);
    expect(await answer(share(post('/api/shares', '{"path":"/memory"}')))).toEqual([
      400,
      '{"error":"the view /memory cannot be shared; share a sweep, run or compare view","code":"bad_request"}',
    ]);
    expect(await answer(share(post('/api/shares', '{"path":"/sweeps/zz"}')))).toEqual([
      404,
      '{"error":"sweep zz not found","code":"not_found"}',
    ]);
    expect(await answer(share(post('/api/shares', `{"path":"${'a'.repeat(9000)}"}`)))).toEqual([
      413,
      '{"error":"request body over 8192 bytes","code":"too_large"}',
    ]);
    expect(
      await answer(revoke(new Request(`${BASE}/api/shares/sh_nope`, { headers: admin }), params('sh_nope'))),
    ).toEqual([404, '{"error":"share sh_nope not found","code":"not_found"}']);
  });
});

describe('POST /api/login', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const jsonOnly = { 'content-type': 'application/json' };

  it('signs in with JSON or a form, and sends a wrong token back to the form', async () => {
    const ok = await login(post('/api/login', JSON.stringify({ token: TOKEN }), jsonOnly));
    expect(await answer(ok.clone())).toEqual([200, '{"ok":true}']);
    expect(ok.headers.get('set-cookie')).toMatch(/^ll_admin=[A-Za-z0-9_-]+; Path=\/; Expires=.*; Max-Age=604800;/);
    expect(await answer(login(post('/api/login', '{"token":"wrong"}', jsonOnly)))).toEqual([
      401,
      '{"error":"wrong admin token"}',
    ]);
    const viaForm = await login(post('/api/login', `token=${TOKEN}&next=%2Fsweeps%2Fs1`, form));
    expect([viaForm.status, viaForm.headers.get('location')]).toEqual([303, `${BASE}/sweeps/s1`]);
    const offSite = await login(post('/api/login', `token=${TOKEN}&next=%2F%2Fevil.example`, form));
    expect(offSite.headers.get('location')).toBe(`${BASE}/`);
    const wrong = await login(post('/api/login', 'token=no&next=%2Fmemory', form));
    expect([wrong.status, wrong.headers.get('location')]).toEqual([303, `${BASE}/login?e=1&next=%2Fmemory`]);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a body it cannot read', async () => {
    const unreadable = '{"error":"send {\\"token\\": \\"...\\"} or a form with a token field","code":"bad_request"}';
    expect(await answer(login(post('/api/login', '{"token":', jsonOnly)))).toEqual([400, unreadable]);
    expect(await answer(login(post('/api/login', 'null', jsonOnly)))).toEqual([400, unreadable]);
    expect(await answer(login(post('/api/login', '7', jsonOnly)))).toEqual([401, '{"error":"wrong admin token"}']);
    expect(await answer(login(post('/api/login', 'x'.repeat(4097), form)))).toEqual([
      413,
      '{"error":"request body over 4096 bytes","code":"too_large"}',
    ]);
  });
});

describe('cancel and resume', () => {
  it('answer 409 naming the run status, and 404 for an unknown run', async () => {
    expect(await answer(cancel(post('/api/runs/ext-done/cancel', null, admin), params('ext-done')))).toEqual([
      409,
      '{"error":"run ext-done is finished; only queued or running runs can be cancelled","code":"conflict"}',
    ]);
    expect(await answer(resume(post('/api/runs/ext-done/resume', null, admin), params('ext-done')))).toEqual([
      409,
      '{"error":"run ext-done is finished; only failed, cancelled or diverged runs can be resumed","code":"conflict"}',
    ]);
    expect(await answer(resume(post('/api/runs/r_x/resume', null, admin), params('r_x')))).toEqual([
      404,
      '{"error":"run r_x not found","code":"not_found"}',
    ]);
    expect(await answer(sweepGet(get('/api/sweeps/zz'), params('zz')))).toEqual([
      404,
      '{"error":"sweep zz not found","code":"not_found"}',
    ]);
  });
});

describe('GET /api/sweeps/:id/table', () => {
  it('answers each format, and 400 / 404 with the problem named', async () => {
    const csv = await table(get('/api/sweeps/s1/table?format=latex'), params('s1'));
    expect([csv.status, csv.headers.get('content-type'), csv.headers.get('content-disposition')]).toEqual([
      200,
      'application/x-latex; charset=utf-8',
      'attachment; filename="s1-table.tex"',
    ]);
    expect(await answer(table(get('/api/sweeps/s1/table?metric=eval/loss:median'), params('s1')))).toEqual([
      400,
      '{"error":"unknown aggregation \\"median\\" in metric \\"eval/loss:median\\" ' +
        '(last, min, max, mean, best, roughness)",' +
        '"code":"bad_request"}',
    ]);
    expect(await answer(table(get('/api/sweeps/s1/table?format=xlsx'), params('s1')))).toEqual([
      400,
      '{"error":"invalid query: format: Invalid option: expected one of \\"json\\"|\\"csv\\"|\\"md\\"|\\"latex\\"",' +
        '"code":"bad_request","problems":[{"path":"format",' +
        '"message":"Invalid option: expected one of \\"json\\"|\\"csv\\"|\\"md\\"|\\"latex\\""}]}',
    ]);
    expect(await answer(table(get('/api/sweeps/zz/table'), params('zz')))).toEqual([
      404,
      '{"error":"sweep zz not found","code":"not_found"}',
    ]);
  });
});

describe('GET /api/export', () => {
  it('answers an HTML attachment, and 400 / 404 with the problem named', async () => {
    const res = await exportGet(get('/api/export?path=/sweeps/s1/table'));
    expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([
      200,
      'text/html; charset=utf-8',
      'no-store',
    ]);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.html"$/);
    expect(await res.text()).toContain('<svg');
    expect(await answer(exportGet(get('/api/export?path=/memory')))).toEqual([
      400,
      '{"error":"cannot export \\"/memory\\": use /sweeps/<id>, /sweeps/<id>/table, /sweeps/<id>/norms or ' +
        '/sweeps/<id>/robustness","code":"bad_request"}',
    ]);
    expect(await answer(exportGet(get(`/api/export?path=${encodeURIComponent('/sweeps/s1/norms?q=mass')}`)))).toEqual([
      400,
      '{"error":"unknown quantity \\"mass\\" (weight, update, trainable, grad)","code":"bad_request"}',
    ]);
    expect(await answer(exportGet(get(`/api/export?path=${encodeURIComponent('/sweeps/s1/table?m=a b')}`)))).toEqual([
      400,
      '{"error":"unknown metric \\"a b\\"","code":"bad_request"}',
    ]);
    expect(await answer(exportGet(get('/api/export?path=/sweeps/zz/table')))).toEqual([
      404,
      '{"error":"sweep zz not found","code":"not_found"}',
    ]);
    expect(await answer(exportGet(get('/api/export?path=/sweeps/s1', {})))).toEqual([
      401,
      '{"error":"sign in at /login, or send Authorization: Bearer <LAYERLAB_ADMIN_TOKEN>","code":"unauthorized"}',
    ]);
  });
});
