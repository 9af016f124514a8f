/**
 * JSON that keeps NaN and ±Infinity: they travel as the strings "NaN", "Infinity", "-Infinity" (JSON.stringify
 * alone would turn them into null). One codec for the event protocol's lines, the ingest door, API responses
 * and the browser. No dependencies, so the client bundle can import it.
 */

/** JSON.stringify replacer: a non-finite number becomes its string name. */
export function nonFiniteReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return value;
}

/** Serialise with non-finite numbers kept as strings. Use it for every response that carries measured values. */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, nonFiniteReplacer, space);
}

/**
 * Inverse of toJson: the strings "NaN", "Infinity", "-Infinity" become numbers again. A reviver makes JSON.parse
 * several times slower (it is called for every value), so a text that holds none of those strings, and no escape
 * that could spell one, is parsed without it: the answer is the same.
 */
export function fromJson<T = unknown>(text: string): T {
  const plain = !text.includes('NaN"') && !text.includes('Infinity"') && !text.includes('\\u');
  return (plain ? JSON.parse(text) : JSON.parse(text, reviver)) as T;
}
