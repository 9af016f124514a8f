/**
 * A command run (docs/command-sweeps.md): the researcher's program, rendered when its sweep was created and kept
 * in the run's config under `command`. Never in it: the run's ingest token, made fresh at each launch (only its
 * sha256 is stored, in runs.token_hash, the same per-run token external runs use).
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { sha256 } from '../ids';

export interface RunCommand {
  /** The argument vector, every macro rendered. */
  argv: string[];
  cwd: string;
  /** The spec's `env`. */
  env: Record<string, string>;
  /** The run's parameters under the names the spec wrote them with (`${args_json}`, the args file). */
  args: Record<string, unknown>;
}

/** The command of a run's config (JSON text or parsed), or null for a run of LayerLab's trainer. */
export function commandOf(config: string | Record<string, unknown>): RunCommand | null {
  let c: unknown;
  try {
    c = typeof config === 'string' ? JSON.parse(config) : config;
  } catch {
    return null;
  }
  const cmd = (c as { command?: unknown } | null)?.command;
  if (typeof cmd !== 'object' || cmd === null || !Array.isArray((cmd as RunCommand).argv)) return null;
  return cmd as RunCommand;
}

/** A new ingest token for the run: its sha256 replaces the stored one (an earlier launch's token stops working). */
export function issueRunToken(sqlite: Database.Database, runId: string): string {
  const token = crypto.randomBytes(32).toString('base64url');
  sqlite.prepare('UPDATE runs SET token_hash = ? WHERE id = ?').run(sha256(token), runId);
  return token;
}
