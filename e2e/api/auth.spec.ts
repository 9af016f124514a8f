import { expect, test } from '@playwright/test';
import { ownServer, type OwnServer } from '../support/server';

const ADMIN = 'e2e-admin-token-0123456789';
let server: OwnServer;
test.beforeAll(async () => {
  server = await ownServer({ LAYERLAB_ADMIN_TOKEN: ADMIN });
});
test.afterAll(async () => {
  await server?.kill('SIGTERM');
});

const admin = { authorization: `Bearer ${ADMIN}` };
const cookieOf = (res: Response, name: string) =>
  (res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`)) ?? '').split(';')[0];

async function externalRun(label: string): Promise<string> {
  const res = await fetch(`${server.url}/api/runs`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ label }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

test('with an admin token, reads and writes need it and pages ask to sign in', async () => {
  expect((await fetch(`${server.url}/api/runs/nope`)).status).toBe(401);
  expect(
    (await fetch(`${server.url}/api/runs/nope`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } }))
      .status,
  ).toBe(401);
  expect((await fetch(`${server.url}/api/runs/nope`, { headers: admin })).status).toBe(404);
  expect((await fetch(`${server.url}/api/sweeps`, { method: 'POST', body: 'name: x' })).status).toBe(401);
  const page = await fetch(`${server.url}/`, { redirect: 'manual' });
  expect(page.status).toBe(307);
  expect(page.headers.get('location')).toContain('/login');
});

test('a cookie session cannot be used by a cross-site request', async () => {
  const login = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: ADMIN }),
  });
  expect(login.status).toBe(200);
  const cookie = cookieOf(login, 'll_admin');
  expect(login.headers.getSetCookie().join(';')).toMatch(/HttpOnly/i);
  expect(login.headers.getSetCookie().join(';')).toMatch(/SameSite=strict/i);
  const forged = await fetch(`${server.url}/api/runs`, {
    method: 'POST',
    headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
    body: '{}',
  });
  expect(forged.status).toBe(403);
  const ok = await fetch(`${server.url}/api/runs`, {
    method: 'POST',
    headers: { cookie, 'x-layerlab-request': '1', 'content-type': 'application/json' },
    body: '{}',
  });
  expect(ok.status).toBe(201);
  const wrong = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: 'nope' }),
  });
  expect(wrong.status).toBe(401);
});

test('a share link reads only its view, never writes, and stops working when revoked', async () => {
  const shared = await externalRun('shared run');
  const other = await externalRun('private run');
  const created = await fetch(`${server.url}/api/shares`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ path: `/runs/${shared}` }),
  });
  expect(created.status).toBe(201);
  const share = (await created.json()) as { id: string; url: string };
  expect(share.url).toMatch(/\/s\/[A-Za-z0-9_-]{40,}$/);

  const open = await fetch(share.url, { redirect: 'manual' });
  expect(open.status).toBe(303);
  expect(open.headers.get('location')).toContain(`/runs/${shared}`);
  const cookie = cookieOf(open, 'll_share');
  expect(cookie).toBeTruthy();

  expect((await fetch(`${server.url}/api/runs/${shared}`, { headers: { cookie } })).status).toBe(200);
  expect((await fetch(`${server.url}/api/runs/${other}`, { headers: { cookie } })).status).toBe(403);
  expect(
    (
      await fetch(`${server.url}/api/runs/${shared}/cancel`, {
        method: 'POST',
        headers: { cookie, 'x-layerlab-request': '1' },
      })
    ).status,
  ).toBe(403);
  expect(
    (
      await fetch(`${server.url}/api/shares`, {
        method: 'POST',
        headers: { cookie, 'x-layerlab-request': '1' },
        body: '{}',
      })
    ).status,
  ).toBe(403);
  const homePage = await fetch(`${server.url}/`, { headers: { cookie }, redirect: 'manual' });
  expect(homePage.headers.get('location')).toContain(`/runs/${shared}`);

  expect((await fetch(`${server.url}/api/shares/${share.id}`, { method: 'DELETE', headers: admin })).status).toBe(204);
  expect((await fetch(`${server.url}/api/runs/${shared}`, { headers: { cookie } })).status).toBe(401);
  expect((await fetch(share.url, { redirect: 'manual' })).status).toBe(404);
  expect(
    (
      await fetch(`${server.url}/api/shares`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ path: '/memory' }),
      })
    ).status,
  ).toBe(400);
});
