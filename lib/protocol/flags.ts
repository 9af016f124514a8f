/**
 * Command-line flags → run-config values: the trainer's own flags (kebab- or snake_case), their aliases and the
 * ms-swift / LMFlow flags (lib/protocol/dialects.ts). Shared by the trainer's CLI and the server's paste-a-command
 * reader, so a pasted command means what `npm run train -- <its flags>` means. Pure; problems are FlagErrors.
 */
import { CONFIG_ALIASES, trainConfigSchema } from './config';
import { METHOD_SWITCHES, type MethodSwitch, NO_MEANING } from './dialects';
import { suggestKey } from './suggest';

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export type FieldKind = 'number' | 'boolean' | 'array' | 'string';

/** The value kind of every run-config key, read from the schema. */
export function fieldKinds(): Map<string, FieldKind> {
  const kinds = new Map<string, FieldKind>();
  const shape = (
    trainConfigSchema as unknown as { shape: Record<string, { def: { type: string; innerType?: unknown } }> }
  ).shape;
  for (const [key, field] of Object.entries(shape)) {
    let t = field;
    while (t.def.type === 'default' || t.def.type === 'optional') t = t.def.innerType as typeof t;
    const type = t.def.type;
    kinds.set(
      key,
      type === 'number' ? 'number' : type === 'boolean' ? 'boolean' : type === 'array' ? 'array' : 'string',
    );
  }
  return kinds;
}

/**
 * `--lisa-interval-steps` / `lisa_interval_steps` / `optimizer-state` → the schema key, or null. An alias whose
 * key this trainer lacks gives `missing`.
 */
export function canonicalKey(name: string, kinds = fieldKinds()): string | null | { missing: string } {
  const alias = CONFIG_ALIASES[name] ?? CONFIG_ALIASES[name.replace(/-/g, '_')];
  if (alias) return kinds.has(alias) ? alias : { missing: alias };
  const snake = name.replace(/-/g, '_');
  return kinds.has(snake) ? snake : null;
}

/** A flag's text as its key's kind; values from JSON pass through (the schema checks them). */
export function coerceFlag(value: unknown, kind: FieldKind, where: string): unknown {
  if (typeof value !== 'string') return value;
  if (kind === 'number') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new FlagError(`${where} expects a number, got '${value}'`);
    return n;
  }
  if (kind === 'boolean') {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new FlagError(`${where} expects true or false, got '${value}'`);
  }
  if (kind === 'array')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return value;
}

export interface ReadFlags {
  /** Schema keys given, typed, not yet validated. */
  values: Record<string, unknown>;
  /** Schema key → the ms-swift / LMFlow name it was given as. */
  written: Record<string, string>;
  switches: Partial<Record<MethodSwitch, unknown>>;
  /** Tool flags without meaning here (names, or `name (why)`). */
  ignored: string[];
  /** Options outside the config (`config`, `resume`, ...): their value, or true when given bare. */
  options: Record<string, string | true>;
}

/**
 * The flags a misspelt one may have meant: config keys, their aliases, method switches, the caller's options; in
 * the spelling it was written in (snake_case or kebab-case) first, so a tie names that one.
 */
function knownFlags(name: string, kinds: Map<string, FieldKind>, names: readonly string[]): string[] {
  const all = [...kinds.keys(), ...Object.keys(CONFIG_ALIASES), ...METHOD_SWITCHES, ...names];
  const snake = all.map((k) => k.replace(/-/g, '_'));
  const kebab = all.map((k) => k.replace(/_/g, '-'));
  return [...new Set(name.includes('_') ? [...snake, ...kebab] : [...kebab, ...snake])];
}

/** `unknown option --gama (did you mean --gamma?)`, the near name picked as the sweep validator picks keys. */
function unknownOption(name: string, kinds: Map<string, FieldKind>, names: readonly string[]): string {
  const near = suggestKey(name, knownFlags(name, kinds, names));
  return `unknown option --${name} (${near ? `did you mean --${near}?` : 'run with --help for the list'})`;
}

/**
 * Read `--name value` / `--name=value` words. `options` are the caller's own flags (kebab-case names; those in
 * `takesValue` need a value). Unknown flags and two spellings of one setting are FlagErrors.
 */
export function readFlags(
  argv: readonly string[],
  options: { names: readonly string[]; takesValue: readonly string[] } = { names: [], takesValue: [] },
): ReadFlags {
  const kinds = fieldKinds();
  const out: ReadFlags = { values: {}, written: {}, switches: {}, ignored: [], options: {} };
  const { values, written } = out;
  /** The words after a flag up to the next option (ms-swift lists: `--lora_target_modules q_proj v_proj`). */
  const rest = (i: number) => {
    let j = i + 1;
    while (j < argv.length && !argv[j].startsWith('--')) j++;
    return argv.slice(i + 1, j);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new FlagError(`unexpected argument '${arg}' (options look like --name value)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const next = () => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('--') && !/^--?\d/.test(v)))
        throw new FlagError(`option --${name} needs a value`);
      i++;
      return v;
    };
    const kebab = name.replace(/_/g, '-');
    if (options.names.includes(kebab)) {
      out.options[kebab] = options.takesValue.includes(kebab) ? next() : (inline ?? true);
      continue;
    }
    if (name in NO_MEANING || (METHOD_SWITCHES as readonly string[]).includes(name)) {
      const given = inline !== undefined ? [inline] : rest(i);
      i += inline !== undefined ? 0 : given.length;
      if (name in NO_MEANING) out.ignored.push(name);
      else out.switches[name as MethodSwitch] = given.length ? given.join(' ') : true;
      continue;
    }
    const key = canonicalKey(name, kinds);
    if (!key) throw new FlagError(unknownOption(name, kinds, options.names));
    if (typeof key === 'object') {
      i += inline !== undefined ? 0 : rest(i).length;
      out.ignored.push(`${name} (no counterpart in this trainer yet: ${key.missing})`);
      continue;
    }
    const snake = name.replace(/-/g, '_');
    const spelling = snake !== key && CONFIG_ALIASES[snake] !== undefined ? snake : key;
    if (key in values && (written[key] ?? key) !== spelling) {
      throw new FlagError(`--${written[key] ?? key} and --${name} are two spellings of one setting: give one`);
    }
    if (spelling !== key) written[key] = spelling;
    else delete written[key];
    const kind = kinds.get(key)!;
    if (kind === 'boolean' && inline === undefined && !['true', 'false'].includes(argv[i + 1] ?? ''))
      values[key] = true;
    else if (kind === 'array' && inline === undefined) {
      const list = rest(i);
      if (list.length === 0) throw new FlagError(`option --${name} needs a value`);
      i += list.length;
      values[key] = coerceFlag(list.join(','), kind, `--${name}`);
    } else values[key] = coerceFlag(next(), kind, `--${name}`);
  }
  return out;
}
