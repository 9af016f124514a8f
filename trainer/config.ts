/**
 * Command line → resolved TrainConfig. Flags override the --config JSON file; kebab-case flags map to
 * the schema's snake_case keys; LMFlow / ms-swift names are accepted as aliases; anything unknown is
 * an error. Every problem becomes a ConfigError with a one-line message (the CLI exits with code 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { trainConfigSchema, type TrainConfig } from '../lib/protocol/config';
import { ignoredWarning, resolveDialect } from '../lib/protocol/dialects';
import { canonicalKey, coerceFlag, type FieldKind, FlagError, fieldKinds, readFlags } from '../lib/protocol/flags';
import { suggestKey } from '../lib/protocol/suggest';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const CLI_ONLY = new Set(['config', 'resume', 'help', 'force-backend', 'force_backend', 'dry-run', 'dry_run', 'json']);
const OPTIONS = { names: ['config', 'resume', 'help', 'force-backend', 'dry-run', 'json'], takesValue: ['config'] };

/** A FlagError as the CLI's ConfigError. */
function flagsOrExit<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof FlagError) throw new ConfigError(e.message);
    throw e;
  }
}

function booleanOption(value: string | true | undefined, name: string): boolean {
  if (value === undefined) return false;
  return value === true ? true : (flagsOrExit(() => coerceFlag(value, 'boolean', `--${name}`)) as boolean);
}

export interface ParsedArgs {
  /** Schema keys given (file merged with flags, flags winning), not yet validated. */
  raw: Record<string, unknown>;
  /** Keys the user set explicitly (flags or file). */
  explicit: Set<string>;
  /** Keys set by command-line flags (not by the --config file, which may be a complete resolved config). */
  flags: Set<string>;
  resume: boolean;
  /** `--force-backend`: a resume may run on another backend than the one the run started on. */
  forceBackend: boolean;
  help: boolean;
  /** `--dry-run`: print the resolved configuration and stop. */
  dryRun: boolean;
  /** `--json`: NDJSON events on stdout even when it is a terminal. */
  json: boolean;
  /** The one warning listing ms-swift / LMFlow flags that mean nothing here. */
  warning?: string;
  /** Schema key → the ms-swift / LMFlow name it was given as (`seq` → `max_length`). */
  written: Record<string, string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const read = flagsOrExit(() => readFlags(argv, OPTIONS));
  const { written, options } = read;
  const configFile = options.config as string | undefined;
  const fromFile = configFile ? readConfigFile(configFile, fieldKinds()) : {};
  const raw = { ...fromFile, ...read.values };
  const dialect = resolveDialect({ raw, written, switches: read.switches, ignored: read.ignored });
  if (dialect.errors.length) throw new ConfigError(dialect.errors.join('; '));
  return {
    raw,
    explicit: new Set(Object.keys(raw)),
    flags: new Set(Object.keys(read.values)),
    resume: booleanOption(options.resume, 'resume'),
    forceBackend: booleanOption(options['force-backend'], 'force-backend'),
    help: options.help !== undefined,
    dryRun: options['dry-run'] !== undefined,
    json: booleanOption(options.json, 'json'),
    warning: ignoredWarning(dialect.ignored),
    written,
  };
}

function readConfigFile(file: string, kinds: Map<string, FieldKind>): Record<string, unknown> {
  if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`config file ${file} must hold a JSON object`);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (CLI_ONLY.has(name))
      throw new ConfigError(`key '${name}' in ${file} is a command-line option, not a config key`);
    const key = canonicalKey(name, kinds);
    if (!key || typeof key === 'object') {
      const near = suggestKey(name, [...kinds.keys()]);
      throw new ConfigError(`unknown key '${name}' in config file ${file}${near ? ` (did you mean '${near}'?)` : ''}`);
    }
    out[key] = flagsOrExit(() => coerceFlag(value, kinds.get(key)!, `key '${name}' in ${file}`));
  }
  return out;
}

/** Validate with the shared schema; the first problem becomes a one-line message naming the key. */
export function validate(raw: Record<string, unknown>): TrainConfig {
  const result = trainConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(config)';
    if (issue.code === 'too_small')
      return `${key} must be >= ${String(issue.minimum)}, got ${JSON.stringify(raw[key])}`;
    if (issue.code === 'unrecognized_keys') return `unknown key(s): ${issue.keys.join(', ')}`;
    return `${key}: ${issue.message}`;
  });
  throw new ConfigError(`invalid config: ${messages.join('; ')}`);
}

/** Checks that need more than one key. `layers` is the number of blocks of the model actually trained. */
const modelOf = (c: TrainConfig) => (c.model_path ? `the model ${c.model_path}` : `preset ${c.preset}`);

export function checkConsistency(c: TrainConfig, layers: number, ctx: number): void {
  if (c.fixed_blocks && c.sampling !== 'fixed')
    throw new ConfigError(`fixed_blocks is the list of sampling fixed; this run samples ${c.sampling}`);
  if (c.method === 'lisa' && c.sampling === 'fixed' && !c.fixed_blocks)
    throw new ConfigError('sampling fixed needs fixed_blocks: the blocks to train (e.g. --fixed-blocks 0,5)');
  if (c.method === 'lisa' && c.granularity === 'block' && c.sampling !== 'fixed' && c.gamma > layers) {
    throw new ConfigError(
      `gamma (γ = ${c.gamma}) exceeds the number of transformer blocks (${layers}) of ${modelOf(c)}`,
    );
  }
  if (c.stage === 'pretrain' && c.method !== 'full') {
    throw new ConfigError(
      `stage pretrain trains a model from scratch with every weight: use --method full (got ${c.method})`,
    );
  }
  if (c.warmup_ratio !== undefined && c.warmup > 0) {
    throw new ConfigError(`give warmup (${c.warmup} steps) or warmup_ratio (${c.warmup_ratio} of the steps), not both`);
  }
  if (c.seq !== undefined && c.seq > ctx)
    throw new ConfigError(`seq ${c.seq} exceeds the context length ${ctx} of ${modelOf(c)}`);
}
