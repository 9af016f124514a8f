/**
 * The server's process-wide state: configuration, the database connection and the scheduler, created once
 * per process (cached on globalThis so route bundles and dev-mode reloads share them).
 */
import path from 'node:path';
import { openDatabase, type Connection } from '../../db';
import { publicUrl, readEnv, type Env } from '../env';
import { DB_FILE, ensureDataHome } from '../data-home';
import { LocalExecutor } from '../scheduler/local';
import { Scheduler } from '../scheduler/scheduler';
import { planSlots, slurmSlots } from '../scheduler/slots';
import { SlurmExecutor } from '../scheduler/slurm';
import { slurmDefaultsFromEnv } from '../scheduler/slurm-options';

export interface Context {
  env: Env;
  conn: Connection;
  scheduler: Scheduler;
  /** The Slurm executor (idle until a run goes to it): its jobs and health for the pages. */
  slurm: SlurmExecutor;
  root: string;
}

const holder = globalThis as unknown as { __layerlab?: Context };

export function getContext(): Context {
  if (!holder.__layerlab) {
    const env = readEnv();
    ensureDataHome(env.dataHome);
    const conn = openDatabase(path.join(env.dataHome, DB_FILE));
    const root = process.env.LAYERLAB_ROOT ?? process.cwd();
    const local = new LocalExecutor(root);
    const slurm = new SlurmExecutor({ root, defaults: slurmDefaultsFromEnv(process.env) });
    const scheduler = new Scheduler(conn, env.LAYERLAB_EXECUTOR === 'slurm' ? slurm : local, {
      dataHome: env.dataHome,
      slots: [
        ...planSlots(env.LAYERLAB_SLOTS).map((s) => ({ ...s, executor: 'local' })),
        ...slurmSlots(env.LAYERLAB_SLURM_JOBS),
      ],
      executors: { local, slurm },
      publicUrl: publicUrl(env),
    });
    holder.__layerlab = { env, conn, scheduler, slurm, root };
  }
  return holder.__layerlab;
}

/** Server start: open the data home, then start scheduling (unless another server already does). */
export function startServer(): Context {
  const ctx = getContext();
  if (!ctx.scheduler.running) ctx.scheduler.start();
  const shutdown = () => {
    ctx.scheduler.stop();
    ctx.conn.sqlite.close();
    holder.__layerlab = undefined;
  };
  process.once('SIGTERM', () => {
    shutdown();
    process.exit(0);
  });
  process.once('SIGINT', () => {
    shutdown();
    process.exit(0);
  });
  return ctx;
}
