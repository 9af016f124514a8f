/**
 * A single-node Slurm for tests and benchmarks: scripts/slurm-local.sh in a temporary folder, on ports of its own,
 * so it does not disturb a cluster a user started. Not used by the server.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const script = path.resolve(__dirname, '../../scripts/slurm-local.sh');

/** Whether Slurm's daemons and client commands are installed here. */
export const slurmInstalled = (): boolean =>
  spawnSync('sh', ['-c', 'command -v sbatch && test -x /usr/sbin/slurmctld && test -x /usr/sbin/munged']).status === 0;

export interface TestCluster {
  /** Its folder: slurm.conf, state, logs, pid files. */
  dir: string;
  /** The environment Slurm's client commands need to find it (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  /** `scripts/slurm-local.sh start` (idempotent: it also restarts a stopped controller). */
  start(): void;
  stop(): void;
}

/**
 * A cluster in a new temporary folder, not started yet. Without Slurm installed this throws, saying what to
 * install: the tests that need it fail instead of being skipped (CI installs it, .ci/run).
 */
export function testCluster(prefix = 'layerlab-slurm-test-'): TestCluster {
  if (!slurmInstalled()) {
    throw new Error(
      'Slurm is not installed here: these tests need a single-node Slurm; install slurm-wlm munge ' +
        '(apt-get install --no-install-recommends slurm-wlm munge, as .ci/run does; docs/slurm.md) and run as root',
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const port = String(20_000 + (process.pid % 4000) * 2);
  const clusterEnv = { ...process.env, LAYERLAB_SLURM_LOCAL: dir, LAYERLAB_SLURM_PORT: port };
  const run = (cmd: 'start' | 'stop') =>
    execFileSync('bash', [script, cmd], { env: clusterEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    dir,
    env: { ...process.env, SLURM_CONF: path.join(dir, 'slurm.conf') },
    start: () => void run('start'),
    stop: () => {
      run('stop');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
