/**
 * Parse a sweep spec from the text of a request body or file: YAML or JSON (docs/sweep-spec.md).
 * Syntax errors and every validation problem come back as a list; nothing is written anywhere.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { ParseResult, Problem } from './types';
import { validateSweepSpec } from './validate';

export { validateSweepSpec } from './validate';
export type { ParseResult, Problem, SweepSpec } from './types';

/** Specs are small; refuse anything that is not. */
export const MAX_SPEC_BYTES = 256 * 1024;

type Format = 'json' | 'yaml';

function formatOf(contentType: string | undefined, text: string): Format {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type?.endsWith('+json')) return 'json';
  if (type && /(^|\/|[-+.])yaml$/.test(type)) return 'yaml';
  // Unknown or missing: YAML reads JSON too, but JSON gives better messages for JSON.
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

function parseText(text: string, format: Format): { value: unknown } | { problems: Problem[] } {
  if (format === 'json') {
    try {
      return { value: JSON.parse(text) };
    } catch (e) {
      return { problems: [{ path: '', message: `invalid JSON: ${(e as Error).message}` }] };
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return { path: '', message: `invalid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${e.message}` };
      }),
    };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    // e.g. too many aliases (a "billion laughs" document)
    return { problems: [{ path: '', message: `invalid YAML: ${(e as Error).message}` }] };
  }
}

/**
 * Parse and validate a sweep spec. `contentType` (e.g. `application/yaml`, `application/json`) picks
 * the syntax; without one, text starting with `{` or `[` is read as JSON, anything else as YAML.
 */
export function parseSweepSpec(text: string, contentType?: string, opts: { cwd?: string } = {}): ParseResult {
  if (new TextEncoder().encode(text).length > MAX_SPEC_BYTES) {
    return { ok: false, problems: [{ path: '', message: `spec is over ${MAX_SPEC_BYTES / 1024} KiB` }] };
  }
  if (!text.trim()) return { ok: false, problems: [{ path: '', message: 'empty spec' }] };
  const parsed = parseText(text, formatOf(contentType, text));
  if ('problems' in parsed) return { ok: false, problems: parsed.problems };
  return validateSweepSpec(parsed.value, opts);
}

/** One line per problem, `path: message` — for CLI output and logs. */
export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('\n');
}
