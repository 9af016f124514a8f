/**
 * `npm run test:e2e`: Playwright against a real `npm start` server in the system Chromium, on a fresh
 * temporary data home. Without Chromium it fails with the command that installs it (never a silent skip).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../e2e/support/server';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

function findChromium(): string | null {
  return CANDIDATES.find((p): p is string => !!p && fs.existsSync(p)) ?? null;
}

async function main(): Promise<void> {
  const chromium = findChromium();
  if (!chromium) {
    console.error('e2e: no Chromium found (looked at CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser).');
    console.error(
      'Install it with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium ' +
        'fonts-liberation',
    );
    process.exit(1);
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-e2e-'));
  const port = await freePort();
  const args = ['playwright', 'test', ...process.argv.slice(2)];
  const res = spawnSync('npx', args, {
    stdio: 'inherit',
    env: { ...process.env, E2E_HOME: home, E2E_PORT: String(port), E2E_CHROMIUM: chromium },
  });
  if (res.status === 0) fs.rmSync(home, { recursive: true, force: true });
  else console.error(`e2e: data home kept for inspection at ${home}`);
  process.exit(res.status ?? 1);
}

void main();
