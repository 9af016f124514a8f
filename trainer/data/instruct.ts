/**
 * The `instruct` preset: Alpaca-style records over small tasks whose answers are short and exactly
 * checkable. Records are drawn on the fly; a fixed hash of the prompt decides which ones are held out,
 * so the split does not depend on the run seed and training never sees an evaluation question.
 */
import { isHeldOut, type AlpacaRecord } from './alpaca';
import { rngFor, type CounterRng } from './counter-rng';
import { ADJECTIVES, ANTONYMS, CAPITALS, CATEGORY_OF, DAYS, NOUNS } from './words';

const WORDS = [...new Set([...NOUNS, ...ADJECTIVES])].filter((w) => w.length <= 8);
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const CATEGORY_WORDS = [...CATEGORY_OF.keys()];

function sequence(r: CounterRng): { terms: string[]; next: string } {
  const kind = r.int(3);
  if (kind === 0) {
    const start = r.range(0, 50),
      step = r.range(1, 9);
    const terms = [0, 1, 2, 3].map((k) => String(start + k * step));
    return { terms, next: String(start + 4 * step) };
  }
  if (kind === 1) {
    const start = r.int(LETTERS.length - 4);
    return { terms: [...LETTERS.slice(start, start + 3)], next: LETTERS[start + 3] };
  }
  const start = r.int(DAYS.length);
  const day = (k: number): string => DAYS[(start + k) % DAYS.length].slice(0, 3);
  return { terms: [day(0), day(1), day(2)], next: day(3) };
}

/** Each task draws its arguments from the stream and returns one record. */
const TASKS: Readonly<Record<string, (r: CounterRng) => AlpacaRecord>> = {
  reverse: (r) => {
    const w = r.pick(WORDS);
    return { instruction: 'Reverse the word.', input: w, output: [...w].reverse().join('') };
  },
  uppercase: (r) => {
    const w = r.pick(WORDS);
    return { instruction: 'Uppercase it.', input: w, output: w.toUpperCase() };
  },
  sort: (r) => {
    const n = r.range(3, 6);
    const letters = new Set<string>();
    while (letters.size < n) letters.add(r.pick([...LETTERS]));
    const s = [...letters].join('');
    return { instruction: 'Sort the letters.', input: s, output: [...s].sort().join('') };
  },
  add: (r) => {
    const a = r.range(0, 99),
      b = r.range(0, 99);
    return { instruction: `What is ${a} + ${b}?`, output: String(a + b) };
  },
  next: (r) => {
    const { terms, next } = sequence(r);
    return { instruction: `Next: ${terms.join(', ')},`, output: next };
  },
  antonym: (r) => {
    const [a, b] = r.pick(ANTONYMS);
    return r.chance(0.5)
      ? { instruction: `Opposite of ${a}?`, output: b }
      : { instruction: `Opposite of ${b}?`, output: a };
  },
  category: (r) => {
    const w = r.pick(CATEGORY_WORDS);
    return { instruction: `Category of ${w}?`, output: CATEGORY_OF.get(w) ?? '' };
  },
  capital: (r) => {
    const [country, capital] = r.pick(CAPITALS);
    return { instruction: `Capital of ${country}?`, output: capital };
  },
};

const TASK_NAMES = Object.keys(TASKS);

/** The training record for one row of one step: a uniform task, redrawn while its question is held out. */
export function instructTrainRecord(seed: number, step: number, row: number): AlpacaRecord {
  const r = rngFor(seed, step, row);
  for (;;) {
    const rec = TASKS[r.pick(TASK_NAMES)](r);
    if (!isHeldOut(rec)) return rec;
  }
}

const EVAL_STREAM = 0x5eed_e7a1;
/** Draws per task before its held-out questions count as used up (small tables hold only a few). */
const EVAL_PATIENCE = 400;
const evalPool: AlpacaRecord[] = [];
const seen = new Set<string>();
const exhausted = new Set<string>();
let evalRound = 0;

function nextHeldOut(task: string): AlpacaRecord | undefined {
  const r = rngFor(EVAL_STREAM, TASK_NAMES.indexOf(task), evalRound);
  for (let i = 0; i < EVAL_PATIENCE; i++) {
    const rec = TASKS[task](r);
    const key = `${rec.instruction}\u0000${rec.input ?? ''}`;
    if (isHeldOut(rec) && !seen.has(key)) {
      seen.add(key);
      return rec;
    }
  }
  return undefined;
}

/**
 * The first `count` distinct held-out records, the tasks taken in turn so accuracy is balanced across
 * them; always the same order whatever the run seed. Tasks with no held-out question left drop out.
 */
export function instructHeldOut(count: number): AlpacaRecord[] {
  while (evalPool.length < count && exhausted.size < TASK_NAMES.length) {
    for (const task of TASK_NAMES) {
      if (exhausted.has(task)) continue;
      const rec = nextHeldOut(task);
      if (rec) evalPool.push(rec);
      else exhausted.add(task);
    }
    evalRound++;
  }
  return evalPool.slice(0, count);
}
