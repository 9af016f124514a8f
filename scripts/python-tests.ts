/**
 * `npm run test:python`: the Python client's pytest suite (clients/python/tests) against real servers
 * started from the app's build. Builds first only when the build is missing or stale, so after
 * `npm run test:e2e` (which builds) it adds no build. Debian's Python with torch and pytest is required:
 * without them it fails with the command that installs them (never a silent skip).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildIsStale, nextBin, root } from './build-state';

const python = process.env.LAYERLAB_PYTHON || '/usr/bin/python3';

function main(): void {
  const check = spawnSync(python, ['-c', 'import torch, pytest'], { encoding: 'utf8' });
  if (check.status !== 0) {
    const why = (check.stderr || check.error?.message || '').trim().split('\n').pop();
    console.error(`test:python: ${python} cannot import torch and pytest: ${why}`);
    console.error('Install them with:  sudo apt-get install -y python3-torch python3-pytest libopenblas0-pthread');
    process.exit(1);
  }
  const { stale, why } = buildIsStale();
  if (stale) {
    console.error(`test:python: building the app (${why})…`);
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
    const build = spawnSync(nextBin, ['build'], { cwd: root, stdio: 'inherit', env });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const tests = path.join('clients', 'python', 'tests');
  const args = ['-m', 'pytest', tests, '-q', '-p', 'no:cacheprovider', ...process.argv.slice(2)];
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  const res = spawnSync(python, args, { cwd: root, stdio: 'inherit', env });
  process.exit(res.status ?? 1);
}

main();
