/** The production build that benchmarks serve with `next start`: built first when missing (or with --build). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function ensureBuild(root: string): void {
  if (fs.existsSync(path.join(root, '.next', 'BUILD_ID')) && !process.argv.includes('--build')) return;
  console.error('no production build in .next: running `npx next build`…');
  const r = spawnSync('npx', ['next', 'build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) throw new Error(`next build failed (exit ${r.status})`);
}
