/**
 * Environment configuration, validated once. See README "Configuration".
 */
import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LAYERLAB_HOME: z.string().min(1).default('.layerlab'),
  LAYERLAB_ADMIN_TOKEN: z.string().min(16, 'LAYERLAB_ADMIN_TOKEN must be at least 16 characters').optional(),
  LAYERLAB_SLOTS: z.coerce.number().int().min(1).max(64).optional(),
  /** The URL command runs are given as LAYERLAB_URL (docs/command-sweeps.md); default http://HOST:PORT. */
  LAYERLAB_PUBLIC_URL: z.url('LAYERLAB_PUBLIC_URL must be a URL like http://host:3000').optional(),
  /** Seconds without an event before a running command run's page says so. */
  LAYERLAB_SILENT_AFTER_S: z.coerce.number().int().min(1).default(60),
  /** Where runs of sweeps without an `executor` section go (docs/slurm.md). */
  LAYERLAB_EXECUTOR: z.enum(['local', 'slurm']).default('local'),
  /** How many runs LayerLab hands to Slurm at once (Slurm queues them). */
  LAYERLAB_SLURM_JOBS: z.coerce.number().int().min(1).max(10_000).default(64),
});

export type Env = z.infer<typeof envSchema> & { dataHome: string };

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const picked = Object.fromEntries(
    Object.keys(envSchema.shape).map((k) => [k, source[k] === '' ? undefined : source[k]]),
  );
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return { ...parsed.data, dataHome: path.resolve(parsed.data.LAYERLAB_HOME) };
}

/** The server's own URL as its command runs should reach it: LAYERLAB_PUBLIC_URL, else http://HOST:PORT. */
export function publicUrl(env: Env): string {
  if (env.LAYERLAB_PUBLIC_URL) return env.LAYERLAB_PUBLIC_URL.replace(/\/+$/, '');
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${env.PORT}`;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Binding beyond loopback without an admin token would expose process launching to the network. */
export function assertSafeBinding(env: Env): void {
  if (!isLoopback(env.HOST) && !env.LAYERLAB_ADMIN_TOKEN) {
    throw new ConfigError(
      `refusing to listen on ${env.HOST} without an admin token: ` +
        `set LAYERLAB_ADMIN_TOKEN to a secret of 16+ characters ` +
        `(e.g. LAYERLAB_ADMIN_TOKEN=$(openssl rand -hex 24)), or bind to 127.0.0.1`,
    );
  }
}
