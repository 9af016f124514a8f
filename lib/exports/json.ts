/**
 * JSON that keeps NaN and ±Infinity: they travel as the strings "NaN", "Infinity", "-Infinity", the same
 * convention as the event protocol (JSON.stringify would turn them into null).
 */

function replacer(_key: string, value: unknown): unknown {
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
  return JSON.stringify(value, replacer, space);
}

/** Inverse of toJson: the strings "NaN", "Infinity", "-Infinity" become numbers again. */
export function fromJson<T = unknown>(text: string): T {
  return JSON.parse(text, reviver) as T;
}
