/**
 * Fuzz: well over 1,000 generated malformed or hostile requests (seeded, so every run sends the same ones)
 * against ingest, sweeps, shares, login and the read routes, on a server with an admin token. Every one must
 * be answered 4xx without a stack trace, the server must stay up, and no table may gain or change a row.
 * None of the generated requests is one the server should accept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ownServer } from '../support/server';
import { openDb, post } from './support';

const ADMIN = 'fuzz-admin-token-0123456789abcdef';
const SEED = 20260601;

/** mulberry32: a small deterministic generator. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    str: (n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_./%$\\\'"<>{}[]:;,\u00e9\u4e2d\u0000\u202e') =>
      Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  };
}
type FuzzRng = ReturnType<typeof rng>;

interface Req {
  family: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Blob;
}

const HUGE = [
  '1e400',
  '-1e400',
  '1e308',
  '9007199254740993',
  '1.5',
  '"NaN"',
  '"Infinity"',
  'null',
  'true',
  '[]',
  '{}',
  '"7"',
  '-1',
];
const TRAVERSAL = [
  '../../etc/passwd.txt',
  '../../../../../../etc/hosts.txt',
  '/etc/passwd.txt',
  '/etc/hosts.json',
  'data/../../x.txt',
  '..\\..\\windows\\win.ini.txt',
  'sub/../../../secret.jsonl',
  '/proc/self/environ.txt',
  '~/.ssh/id_rsa.txt',
  '/tmp/../etc/shadow.json',
  'nope/missing.txt',
  '%2e%2e/%2e%2e/etc/passwd.txt',
  'a\u0000b.txt',
  '/root/.bash_history.txt',
];

let big: string | null = null;
const bigIngestBody = () => (big ??= 'x'.repeat((8 << 20) + 1));

function ingestBodies(r: FuzzRng, validRunId: string): string {
  const ev = (over: Record<string, unknown>) =>
    JSON.stringify({
      v: 1,
      seq: r.int(100),
      time: '2026-01-01T00:00:00Z',
      type: 'metrics',
      step: r.int(100),
      values: { loss: 1 },
      ...over,
    });
  const line = (): string => {
    switch (r.int(16)) {
      case 0:
        return r.str(1 + r.int(80));
      case 1:
        return `{"v":1,"seq":${r.pick(HUGE)},"type":"metrics","time":"t","step":1,"values":{"loss":1}}`;
      case 2:
        return `{"v":1,"seq":1,"type":"metrics","time":"t","step":${r.pick(HUGE)},"values":{"loss":1}}`;
      case 3:
        return ev({ values: { loss: r.pick(['x', true, null, [1], { a: 1 }]) } });
      case 4:
        return ev({ type: r.pick(['metric', 'METRICS', '', 'finished2', '__proto__', 'constructor']) });
      case 5:
        return ev({ v: r.pick([0, 2, 99, '1', null]) });
      case 6:
        return ev({ time: r.pick([1, null, '', 'x'.repeat(100)]) });
      case 7:
        return `{"v":1,"seq":1,"type":"metrics"${r.str(r.int(20))}`; // cut off
      case 8:
        return JSON.stringify([1, 2, 3]);
      case 9:
        return r.pick(['null', 'true', '42', '"str"', '{}', '[]']);
      case 10:
        return ev({ type: 'log', level: r.pick(['fatal', '', 'INFO']), message: 'x' });
      case 11:
        return ev({ type: 'log', level: 'info', message: 'x'.repeat(10_001) });
      case 12:
        return ev({ type: 'failed', reason: r.pick(['boom', '', 'DIVERGED']), message: 'm' });
      case 13:
        return ev({ type: 'layer_norms', groups: { embed: { weight: 'heavy' } } });
      case 14:
        return ev({ type: 'run_started', config: 'nope', backend: {}, model: {} });
      default:
        return `{"__proto__":{"polluted":1},"v":1,"seq":${r.int(9)}}`;
    }
  };
  void validRunId;
  const n = 1 + r.int(6);
  return Array.from({ length: n }, line).join(r.pick(['\n', '\r\n', '\n\n']));
}

const BASE_SPEC = {
  name: 'fuzz',
  method: 'grid',
  model: { preset: 'nano' },
  data: { preset: 'instruct' },
  pretrain: { steps: 2 },
  train: { steps: 3, batch: 2, seq: 16 },
  parameters: { gamma: { values: [1] }, interval: { values: [2] } },
  seeds: [1],
};

function badSpec(r: FuzzRng): { body: string; type: string } {
  // biome-ignore lint/suspicious/noExplicitAny: the fuzzer writes arbitrary values at arbitrary depths of a spec
  const s = JSON.parse(JSON.stringify(BASE_SPEC)) as Record<string, any>;
  const asYaml = r.next() < 0.5;
  switch (r.int(22)) {
    case 0:
      s.data = { path: r.pick(TRAVERSAL) };
      break;
    case 1:
      s.pretrain.data = { path: r.pick(TRAVERSAL) };
      break;
    case 2:
      s.data = r.pick(TRAVERSAL);
      break;
    case 3:
      s.model.base = r.pick(['../../etc', '/etc', '/', '..', '/root', '/tmp/../../etc', 'runs/../../../etc']);
      delete s.pretrain;
      break;
    case 4:
      s.train[r.pick(['lr', 'steps', 'batch', 'seq', 'warmup', 'eval_every'])] = r.pick([
        -1,
        'ten',
        null,
        [1],
        { a: 1 },
        -1e308,
      ]);
      break;
    case 5:
      s.train.steps = r.pick([0, -5, 1.5, 'many']);
      break;
    case 6:
      s.parameters.gamma = { values: [r.pick([99, -1, 1.5, 'x'])] };
      break;
    case 7:
      s.parameters.interval = { values: [r.pick([0, -1, 'x', null])] };
      break;
    case 8:
      s.parameters = {
        gamma: { values: Array.from({ length: 6 }, (_, i) => (i % 4) + 1) },
        interval: { values: Array.from({ length: 60 + r.int(200) }, (_, i) => i + 1) },
      };
      s.seeds = Array.from({ length: 10 }, (_, i) => i);
      break;
    case 9:
      s.seeds = r.pick([[], [-1], [1, 1], ['a'], 'all', [1.5]]);
      break;
    case 10:
      s.method = r.pick(['bayes', '', 'GRID', 7]);
      break;
    case 11:
      s[r.str(5, 'abcdefghij')] = r.str(8);
      break;
    case 12:
      s.name = r.pick(['', '   ', 'x'.repeat(201), null, 42]);
      break;
    case 13:
      s.model = r.pick([{ preset: 'huge' }, null, 'nano', { preset: 'nano', extra: 1 }]);
      break;
    case 14:
      s.run_cap = r.pick([0, -1, 1.5, 'x']);
      break;
    case 15:
      s.parameters = { lr: { min: 1, max: 0 } };
      s.method = r.pick(['grid', 'random']);
      s.run_cap = 3;
      break;
    case 16:
      s.baselines = r.pick([[{ method: 'sgd' }], [{ method: 'lora', rank: -1 }], 'full', [null]]);
      break;
    case 17:
      s.train.out = r.pick(['/etc', '../../x']);
      break;
    case 18:
      return {
        body: r.pick(['{', '{"name": }', '[1,2', 'name: [unclosed', 'a: b: c', '\t- x\n y', ': :', '{{{{']),
        type: r.pick(['application/json', 'application/yaml']),
      };
    case 19:
      return {
        body:
          'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c ' +
          '[*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
        type: 'application/yaml',
      };
    case 20: {
      const depth = 2000 + r.int(20_000);
      return { body: '['.repeat(depth) + ']'.repeat(depth), type: r.pick(['application/json', 'application/yaml']) };
    }
    default:
      return {
        body: r.pick(['null', '42', '"str"', '[]', 'true', '~']),
        type: r.pick(['application/json', 'application/yaml', '']),
      };
  }
  if (asYaml) {
    // JSON is valid YAML; send it flow-style as YAML so both parsers see hostile input.
    return { body: JSON.stringify(s).replace(/1e\+400|Infinity/g, '1e400'), type: 'application/yaml' };
  }
  return { body: JSON.stringify(s), type: 'application/json' };
}

interface Ctx {
  runA: string;
  tokenA: string;
  runB: string;
  sweep: string;
  expired: string;
  revoked: string;
  revokedId: string;
  adminCookie: string;
}

function generate(count: number, ctx: Ctx): Req[] {
  const r = rng(SEED);
  const admin = { authorization: `Bearer ${ADMIN}` };
  // Forged credentials: near-misses of the admin token, random tokens, malformed headers. (Run A's real ingest
  // token is used separately, only where it must not work.)
  const forged = () =>
    r.pick([
      `Bearer ${ADMIN.slice(0, -1)}x`,
      `Bearer ${ctx.tokenA.slice(0, -2)}`,
      `Bearer ${r.str(43, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_')}`,
      'Bearer',
      'Bearer ',
      'Basic YWRtaW46YWRtaW4=',
      `bearer ${ADMIN} extra`,
      `Bearer ${'A'.repeat(4000)}`,
      'Bearer null',
      '',
    ]);
  const reqs: Req[] = [];
  while (reqs.length < count) {
    const family = r.pick([
      'ingest',
      'ingest',
      'ingest',
      'sweeps',
      'sweeps',
      'sweeps',
      'shares',
      'shares',
      'reads',
      'reads',
      'auth',
    ]);
    if (family === 'ingest') {
      const kind = r.int(7);
      const target = r.pick([ctx.runA, ctx.runA, ctx.runB, 'r_missing', '..%2F..%2Fetc', '%00', r.str(12, 'abc123')]);
      const url = `/api/runs/${target}/events`;
      if (kind === 0) {
        // forged or missing token, otherwise valid-looking body
        reqs.push({
          family,
          method: 'POST',
          path: `/api/runs/${ctx.runA}/events`,
          headers: { authorization: forged(), 'content-type': 'application/x-ndjson' },
          body: `{"v":1,"seq":900,"type":"metrics","time":"t","step":900,"values":{"loss":1}}\n`,
        });
      } else if (kind === 1) {
        // the admin token is not an ingest token; run A's token does not open run B
        const runToken = r.next() < 0.5;
        reqs.push({
          family,
          method: 'POST',
          path: `/api/runs/${runToken ? ctx.runB : ctx.runA}/events`,
          headers: runToken ? { authorization: `Bearer ${ctx.tokenA}` } : admin,
          body: `{"v":1,"seq":901,"type":"metrics","time":"t","step":901,"values":{"loss":1}}\n`,
        });
      } else if (kind === 2) {
        // oversized body with a valid token (one shared 8 MiB + 1 string)
        reqs.push({
          family,
          method: 'POST',
          path: `/api/runs/${ctx.runA}/events`,
          headers: { authorization: `Bearer ${ctx.tokenA}` },
          body: bigIngestBody(),
        });
      } else {
        // valid token, bad NDJSON
        reqs.push({
          family,
          method: 'POST',
          path: url.replace(`/runs/${target}/`, `/runs/${ctx.runA}/`),
          headers: { authorization: `Bearer ${ctx.tokenA}`, 'content-type': 'application/x-ndjson' },
          body: ingestBodies(r, ctx.runA),
        });
      }
      if (kind !== 0 && kind !== 1 && r.next() < 0.1)
        reqs[reqs.length - 1].body = new Blob([new Uint8Array(Array.from({ length: 64 }, () => r.int(256)))]);
    } else if (family === 'sweeps') {
      const kind = r.int(8);
      const dry = r.next() < 0.3 ? '?dryRun=1' : '';
      if (kind === 0) {
        const { body, type } = badSpec(r);
        reqs.push({
          family,
          method: 'POST',
          path: `/api/sweeps${dry}`,
          headers: { authorization: forged(), 'content-type': type },
          body,
        });
      } else if (kind === 1) {
        reqs.push({
          family,
          method: 'POST',
          path: `/api/sweeps${dry}`,
          headers: { ...admin, 'content-type': 'application/yaml' },
          body: `name: big\n# ${'x'.repeat(256 * 1024 + r.int(5000))}\n`,
        });
      } else if (kind === 2) {
        reqs.push({
          family,
          method: 'POST',
          path: `/api/sweeps${dry}`,
          headers: { ...admin },
          body: r.pick(['', '   ', '\n\n']),
        });
      } else {
        const { body, type } = badSpec(r);
        reqs.push({
          family,
          method: 'POST',
          path: `/api/sweeps${dry}`,
          headers: { ...admin, ...(type ? { 'content-type': type } : {}) },
          body,
        });
      }
    } else if (family === 'shares') {
      const kind = r.int(9);
      if (kind <= 3) {
        const bodies = [
          () =>
            JSON.stringify({
              path: r.pick([
                '/etc/passwd',
                '../x',
                '/runs/../sweeps',
                `/runs/r_${r.str(6, 'abc')}`,
                'javascript:alert(1)',
                '//evil.example/x',
                'http://evil.example/',
                '/memory',
                '/login',
                '/api/shares',
                '',
                '/sweeps/nope/table',
                `/compare?runs=${'x,'.repeat(60)}`,
                '/compare',
                '\u0000',
                `/runs/${ctx.runA}/../../etc`,
              ]),
            }),
          () =>
            JSON.stringify({
              path: `/runs/${ctx.runA}`,
              expiresInDays: r.pick([-1, 0, 1e9, '7', null, Number.POSITIVE_INFINITY]),
            }),
          () => JSON.stringify({ path: `/runs/${ctx.runA}`, admin: true }),
          () =>
            r.pick([
              '{',
              'null',
              '[]',
              '"x"',
              'path=/runs/x',
              JSON.stringify({ path: 5 }),
              JSON.stringify({}),
              JSON.stringify({ path: 'x'.repeat(2001) }),
            ]),
          () => JSON.stringify({ path: `/runs/${'a'.repeat(9000)}` }),
        ];
        const auth = kind === 0 ? { authorization: forged() } : admin;
        const body = kind === 0 ? JSON.stringify({ path: `/runs/${ctx.runA}` }) : r.pick(bodies)();
        reqs.push({
          family,
          method: 'POST',
          path: '/api/shares',
          headers: { ...auth, 'content-type': 'application/json' },
          body,
        });
      } else if (kind === 4) {
        reqs.push({
          family,
          method: 'DELETE',
          path: `/api/shares/${r.pick([r.str(10, 'abcdef0123'), '%2F..', '%00', ctx.revokedId])}`,
          headers: r.next() < 0.5 ? admin : { authorization: forged() },
        });
        const last = reqs[reqs.length - 1];
        if (last.path.endsWith(ctx.revokedId) && last.headers === admin) last.path = `/api/shares/${ctx.revokedId}x`;
      } else if (kind === 5) {
        reqs.push({
          family,
          method: 'GET',
          path: `/s/${r.pick([
            r.str(r.int(80), 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'),
            '..%2F..%2Fetc',
            '%00',
            ctx.expired,
            ctx.revoked,
            `${ctx.expired.slice(0, -1)}A`,
            'a'.repeat(3000),
          ])}`,
          headers: {},
        });
      } else {
        // forged, expired, revoked or malformed share credentials on reads
        const cred = r.pick([
          ctx.expired,
          ctx.revoked,
          r.str(43, 'abcdefghijklmnopqrstuvwxyz'),
          '%E0%A4%A',
          '%',
          '%%%',
          '\u00ff'.repeat(3),
        ]);
        const header: Record<string, string> =
          r.next() < 0.5
            ? { cookie: `ll_share=${encodeURIComponent(cred).replace('%25', '%')}` }
            : { 'x-layerlab-share': cred.replace(/[^\x20-\x7e]/g, 'x') };
        reqs.push({
          family,
          method: 'GET',
          path: r.pick([`/api/runs/${ctx.runA}`, `/api/sweeps/${ctx.sweep}`, `/api/runs/${ctx.runA}/series?key=loss`]),
          headers: header,
        });
      }
    } else if (family === 'reads') {
      const run = r.pick([
        ctx.runA,
        ctx.runA,
        'r_missing',
        '%00',
        '..%2F..%2Fetc%2Fpasswd',
        "' OR 1=1 --",
        'x'.repeat(500),
      ]);
      const q = r.pick([
        `/api/runs/${ctx.runA}/series?points=${r.pick(HUGE)}&key=loss`,
        `/api/runs/${ctx.runA}/series?key=&points=10`,
        `/api/runs/${ctx.runA}/series`,
        `/api/runs/${ctx.runA}/series?key=loss&from=${r.pick(['-5', 'abc', '1e400', '1.5'])}`,
        `/api/runs/${ctx.runA}/series?key=${'k'.repeat(201)}`,
        `/api/runs/${ctx.runA}/norms?quantity=${r.pick(['bogus', '', 'WEIGHT', "weight'--"])}`,
        `/api/runs/${ctx.runA}/norms?agg=${r.pick(['median', '', '1'])}`,
        `/api/runs/${ctx.runA}/norms?agg=step&step=${r.pick(['-1', 'x', '1e400'])}`,
        `/api/runs/${ctx.runA}/norms?modules=${r.pick(['2', 'yes', ''])}`,
        `/api/sweeps/${ctx.sweep}/table?format=${r.pick(['xlsx', 'pdf', '', 'CSV', '../x'])}`,
        `/api/sweeps/${ctx.sweep}/table?metric=`,
        `/api/sweeps/${r.pick(['s_missing', "'; DROP TABLE runs; --", '%00'])}`,
        `/api/runs/${run}`,
        `/api/runs/${run === ctx.runA ? 'r_missing' : run}/series?key=loss`,
      ]);
      reqs.push({ family, method: 'GET', path: q, headers: r.next() < 0.85 ? admin : { authorization: forged() } });
      const last = reqs[reqs.length - 1];
      if (last.path === `/api/runs/${ctx.runA}` && last.headers === admin) last.path = `/api/runs/${ctx.runA}x`;
    } else {
      // auth: mutations with forged credentials, cookie sessions from another site, bad logins
      const kind = r.int(5);
      const fakeCookie = `ll_admin=${ctx.runA}`; // not the admin digest
      if (kind === 0)
        reqs.push({
          family,
          method: 'POST',
          path: '/api/login',
          headers: { 'content-type': 'application/json' },
          body: r.pick([
            JSON.stringify({ token: r.str(20) }),
            JSON.stringify({ token: `${ADMIN} ` }),
            '{',
            'null',
            JSON.stringify({ token: 5 }),
            'x'.repeat(100_000),
          ]),
        });
      else if (kind === 1)
        reqs.push({
          family,
          method: 'POST',
          path: `/api/runs/${ctx.runA}/cancel`,
          headers: { authorization: forged() },
        });
      // a real admin cookie, but from another site (or an opaque `Origin: null`): refused as cross-site
      else if (kind === 2)
        reqs.push({
          family,
          method: 'POST',
          path: `/api/runs/${ctx.runA}/resume`,
          headers: {
            cookie: r.pick([fakeCookie, ctx.adminCookie]),
            origin: r.pick(['null', 'http://evil.example', '::::', 'http://127.0.0.1.evil.example']),
          },
        });
      else if (kind === 3)
        reqs.push({
          family,
          method: 'POST',
          path: '/api/runs',
          headers: {
            cookie: r.pick([fakeCookie, ctx.adminCookie, 'll_admin=%E0%A4%A', 'll_admin=']),
            origin: r.pick(['null', 'http://evil.example', '::::']),
            'content-type': 'application/json',
          },
          body: '{}',
        });
      else
        reqs.push({
          family,
          method: 'POST',
          path: '/api/runs',
          headers: { ...admin, 'content-type': 'application/json' },
          body: r.pick([
            '{',
            JSON.stringify({ kind: 'root' }),
            JSON.stringify({ label: '' }),
            JSON.stringify({ sweepId: 's_missing' }),
            JSON.stringify({ config: [] }),
            JSON.stringify({ extra: 1 }),
            'x'.repeat(70_000),
          ]),
        });
    }
  }
  return reqs;
}

const STACK =
  /\n\s+at\s|\bat\s+\S+\s+\(.*:\d+:\d+\)|node_modules|\.tsx?:\d+|SqliteError|TypeError|RangeError|ReferenceError/;

function tableCounts(home: string): Record<string, number> {
  const db = openDb(home);
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((t) => [t, db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]),
    );
  } finally {
    db.close();
  }
}

function snapshot(home: string): string {
  const db = openDb(home);
  try {
    return JSON.stringify(
      ['SELECT * FROM runs ORDER BY id', 'SELECT * FROM shares ORDER BY id', 'SELECT * FROM sweeps ORDER BY id'].map(
        (q) => db.prepare(q).all(),
      ),
    );
  } finally {
    db.close();
  }
}

test('1,000+ hostile requests: every one 4xx, no stack trace, server alive, nothing stored', async () => {
  test.setTimeout(240_000);
  const server = await ownServer({ LAYERLAB_ADMIN_TOKEN: ADMIN });
  try {
    const admin = { authorization: `Bearer ${ADMIN}` };
    // Legitimate setup (before the counts): two external runs, a sweep-less share, an expired and a revoked share.
    const mk = async (label: string) => {
      const r = await post(`${server.url}/api/runs`, JSON.stringify({ label }), 'application/json', admin);
      expect(r.status).toBe(201);
      return (await r.json()) as { id: string; token: string };
    };
    const a = await mk('fuzz-a');
    const b = await mk('fuzz-b');
    const ok = await fetch(`${server.url}/api/runs/${a.id}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}` },
      body:
        '{"v":1,"seq":0,"type":"run_started","time":"2026-01-01T00:00:00Z","config":{},' +
        '"backend":{"name":"cpu","gpu":false,"device":"cpu"},' +
        '"model":{"params":1,"trainableParams":1,"groups":["embed"]}}\n' +
        '{"v":1,"seq":1,"type":"metrics","time":"2026-01-01T00:00:01Z","step":1,"values":{"loss":1}}\n',
    });
    expect(ok.status).toBe(200);
    const share = async (expiresInDays?: number) => {
      const r = await post(
        `${server.url}/api/shares`,
        JSON.stringify({ path: `/runs/${a.id}`, ...(expiresInDays ? { expiresInDays } : {}) }),
        'application/json',
        admin,
      );
      expect(r.status).toBe(201);
      const s = (await r.json()) as { id: string; url: string };
      return { id: s.id, token: s.url.split('/s/')[1] };
    };
    const expired = await share(1 / 86_400 / 2); // half a second
    const revoked = await share();
    expect((await fetch(`${server.url}/api/shares/${revoked.id}`, { method: 'DELETE', headers: admin })).status).toBe(
      204,
    );
    await new Promise((res) => setTimeout(res, 1000));
    expect((await fetch(`${server.url}/s/${expired.token}`, { redirect: 'manual' })).status).toBe(404);
    // A data folder with one real file, so confinement (not absence) is what refuses the escapes.
    fs.mkdirSync(path.join(server.home, 'data'), { recursive: true });
    fs.writeFileSync(path.join(server.home, 'data', 'ok.txt'), 'hello world\n'.repeat(100));

    const before = tableCounts(server.home);
    const beforeSnap = snapshot(server.home);
    const login = await post(`${server.url}/api/login`, JSON.stringify({ token: ADMIN }), 'application/json');
    expect(login.status).toBe(200);
    const adminCookie = (login.headers.getSetCookie().find((c) => c.startsWith('ll_admin=')) ?? '').split(';')[0];
    expect(adminCookie).toMatch(/^ll_admin=./);
    const ctx: Ctx = {
      runA: a.id,
      tokenA: a.token,
      runB: b.id,
      sweep: 's_missing',
      expired: expired.token,
      revoked: revoked.token,
      revokedId: revoked.id,
      adminCookie,
    };
    const reqs = generate(1200, ctx);
    // Determinism: the same seed gives the same requests.
    expect(
      JSON.stringify(generate(50, ctx).map((x) => [x.method, x.path, typeof x.body === 'string' ? x.body.length : 0])),
    ).toBe(
      JSON.stringify(reqs.slice(0, 50).map((x) => [x.method, x.path, typeof x.body === 'string' ? x.body.length : 0])),
    );

    const byStatus = new Map<number, number>();
    const byFamily = new Map<string, number>();
    const bad: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < reqs.length) {
        const q = reqs[next++];
        let status = 0;
        let text = '';
        try {
          const res = await fetch(server.url + q.path, {
            method: q.method,
            headers: q.headers,
            body: q.body,
            redirect: 'manual',
          });
          status = res.status;
          text = await res.text();
        } catch (e) {
          // A server may close the connection on an oversized body after answering 413; anything else is a failure.
          text = String(e);
        }
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        byFamily.set(q.family, (byFamily.get(q.family) ?? 0) + 1);
        const body = typeof q.body === 'string' ? q.body.slice(0, status < 400 ? 2000 : 120) : q.body ? '<binary>' : '';
        if (status < 400 || status >= 500)
          bad.push(
            `${status} ${q.method} ${q.path.slice(0, 120)} ${JSON.stringify(q.headers).slice(0, 120)} ` +
              `${JSON.stringify(body)} -> ${text.slice(0, 200)}`,
          );
        else if (STACK.test(text))
          bad.push(`stack trace in ${status} ${q.method} ${q.path.slice(0, 120)}: ${text.slice(0, 300)}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);

    const n4 = [...byStatus].filter(([s]) => s >= 400 && s < 500).reduce((t, [, c]) => t + c, 0);
    const n5 = [...byStatus].filter(([s]) => s >= 500).reduce((t, [, c]) => t + c, 0);
    console.log(
      `fuzz: ${reqs.length} requests sent (seed ${SEED}), ${n4} answered 4xx, ${n5} answered 5xx, ` +
        `${reqs.length - n4 - n5} other; by status ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}; ` +
        `by family ${JSON.stringify(Object.fromEntries(byFamily))}`,
    );
    expect(bad.slice(0, 20), `${bad.length} requests not answered with a clean 4xx`).toEqual([]);
    expect(reqs.length).toBeGreaterThanOrEqual(1000);
    expect(n4).toBe(reqs.length);

    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    expect(tableCounts(server.home)).toEqual(before);
    expect(snapshot(server.home)).toBe(beforeSnap);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(server.log()).not.toMatch(/unexpected error|Error: |at .*\.js:\d+/);
    const db = openDb(server.home);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  } finally {
    await server.kill('SIGTERM');
  }
});
