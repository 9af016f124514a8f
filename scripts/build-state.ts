/**
 * Whether the Next build in `.next/` is older than the sources it was made from (`npm start` and
 * `npm run test:python` rebuild then; neither builds twice when the other just did).
 */
import fs from 'node:fs';
import path from 'node:path';

export const root = path.resolve(__dirname, '..');
export const nextBin = path.join(root, 'node_modules', '.bin', 'next');
const SOURCES = ['app', 'lib', 'db', 'instrumentation.ts', 'next.config.mjs', 'package.json', 'tsconfig.json'];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

export function buildIsStale(): { stale: boolean; why: string } {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return { stale: true, why: 'no build yet' };
  const built = fs.statSync(buildId).mtimeMs;
  const changed = SOURCES.find((s) => newestMtime(path.join(root, s)) > built);
  return changed ? { stale: true, why: `${changed} changed since the last build` } : { stale: false, why: '' };
}
