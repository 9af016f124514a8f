/** Test helpers: the committed fixture folders of scripts/hf-fixtures.py and their reference outputs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'hf');

export interface RefText {
  text: string;
  ids: number[];
  loss: number;
  logits: number[][];
}

export function reference(name: string): { text: RefText; eval_text: RefText } {
  return JSON.parse(readFileSync(path.join(FIXTURES, name, 'reference.json'), 'utf8'));
}
