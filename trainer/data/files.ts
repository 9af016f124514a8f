/**
 * Reading user data: a .txt file for plain language modelling, or records in .json / .jsonl: Alpaca
 * instruction records, or chat records (`messages` or ShareGPT `conversations`, see chat.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AlpacaRecord } from './alpaca';
import { isChatShaped, toChatRecord, type ChatRecord } from './chat';
import { jsonErrorOffset, lineOf } from './json-error';

/** Every problem with data a user supplied; the message says what to fix. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

export const DATA_EXTENSIONS = ['.txt', '.json', '.jsonl'] as const;

export type DataFile =
  | { kind: 'text'; name: string; bytes: Uint8Array }
  | { kind: 'records'; name: string; records: AlpacaRecord[] }
  | { kind: 'chat'; name: string; records: ChatRecord[] };

export function readDataFile(file: string): DataFile {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new DataError(`data file not found: ${abs}`);
  if (!statSync(abs).isFile()) throw new DataError(`data path is not a file: ${abs}`);
  const ext = path.extname(abs).toLowerCase();
  const name = path.basename(abs);
  const buf = readFileSync(abs);
  if (buf.length === 0) throw new DataError(`data file is empty: ${abs}`);
  if (ext === '.txt') return { kind: 'text', name, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.length) };
  const text = buf.toString('utf8');
  const raw = ext === '.jsonl' ? parseJsonl(text, abs) : parseJsonArray(text, abs);
  if (raw.length === 0) throw new DataError(`${abs} holds no records`);
  if (isChatShaped(raw[0].value)) {
    const fail = (message: string) => new DataError(message);
    const records = raw.map(({ value, line }, index) => toChatRecord(value, recordWhere(abs, index, line), fail));
    return { kind: 'chat', name, records };
  }
  const records = raw.map(({ value, line }, index) => toRecord(value, index, line, abs));
  return { kind: 'records', name, records };
}

function parseJsonArray(text: string, file: string): { value: unknown; line?: number }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const at = jsonErrorOffset(text);
    const line = lineOf(text, at < 0 ? text.length : at);
    throw new DataError(`${file}: invalid JSON on line ${line}: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) {
    throw new DataError(`${file}: expected a JSON array of {instruction, input, output} records`);
  }
  return parsed.map((value) => ({ value }));
}

function parseJsonl(text: string, file: string): { value: unknown; line: number }[] {
  const out: { value: unknown; line: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l.length === 0) continue;
    try {
      out.push({ value: JSON.parse(l), line: i + 1 });
    } catch (e) {
      throw new DataError(`${file}: invalid JSON on line ${i + 1}: ${(e as Error).message}`);
    }
  }
  return out;
}

function recordWhere(file: string, index: number, line: number | undefined): string {
  return `${file}: record ${index}${line === undefined ? '' : ` (line ${line})`}`;
}

function toRecord(value: unknown, index: number, line: number | undefined, file: string): AlpacaRecord {
  const where = recordWhere(file, index, line);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataError(`${where} is not an object with instruction/input/output fields`);
  }
  const v = value as Record<string, unknown>;
  for (const key of ['instruction', 'output'] as const) {
    if (typeof v[key] !== 'string') {
      throw new DataError(
        `${where} has no string "${key}" field (records need "instruction" and "output"; "input" is optional)`,
      );
    }
  }
  if (v.input !== undefined && v.input !== null && typeof v.input !== 'string') {
    throw new DataError(`${where}: "input" must be a string when present`);
  }
  const rec: AlpacaRecord = { instruction: v.instruction as string, output: v.output as string };
  if (typeof v.input === 'string' && v.input.length > 0) rec.input = v.input;
  return rec;
}
