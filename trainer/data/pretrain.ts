/**
 * The `pretrain` preset: English-like text from a small grammar — narrative sentences over word lists,
 * arithmetic in words and digits, calendar and sequence facts, a fixed table of world facts, and short
 * question/answer pairs. Spelling is learnt in tens of steps; grammar, facts and sums take hundreds.
 */
import { rngFor, type CounterRng } from './counter-rng';
import {
  ADJECTIVES,
  ANTONYMS,
  CAPITALS,
  CATEGORIES,
  DAYS,
  MONTHS,
  NAMES,
  NOUNS,
  NUMBER_WORDS,
  PLACES,
  VERBS,
  capitalize,
  plural,
} from './words';

type Sentence = (r: CounterRng) => string;

const the = (r: CounterRng): string => `the ${r.chance(0.5) ? `${r.pick(ADJECTIVES)} ` : ''}${r.pick(NOUNS)}`;
const pronoun = (name: string): string => (/[aeiy]$/.test(name) ? 'she' : 'he');
const an = (w: string): string => `${/^[aeiou]/.test(w) ? 'an' : 'a'} ${w}`;

const SENTENCES: readonly Sentence[] = [
  (r) => `${capitalize(the(r))} ${r.pick(VERBS)[1]} ${the(r)}.`,
  (r) => `${r.pick(NAMES)} ${r.pick(VERBS)[1]} ${the(r)} near the ${r.pick(PLACES)}.`,
  (r) => `On ${r.pick(DAYS)}, ${r.pick(NAMES)} went to the ${r.pick(PLACES)} with ${r.pick(NAMES)}.`,
  (r) => `${r.pick(NAMES)} wanted to ${r.pick(VERBS)[0]} ${the(r)}, but it was too ${r.pick(ADJECTIVES)}.`,
  (r) => `Every morning the ${r.pick(NOUNS)} looks ${r.pick(ADJECTIVES)} and ${r.pick(ADJECTIVES)}.`,
  (r) => {
    const name = r.pick(NAMES),
      noun = plural(r.pick(NOUNS)),
      a = r.range(2, 19),
      b = r.range(1, 9);
    return `${name} has ${a} ${noun} and gets ${b} more, so ${pronoun(name)} has ${a + b} ${noun}.`;
  },
  (r) => {
    const a = r.range(0, 12),
      b = r.range(0, 12);
    return `${capitalize(NUMBER_WORDS[a])} plus ${NUMBER_WORDS[b]} is ${a + b}.`;
  },
  (r) => {
    const a = r.range(1, 99),
      b = r.range(1, 99);
    return r.chance(0.5) ? `${a} + ${b} = ${a + b}.` : `${Math.max(a, b)} - ${Math.min(a, b)} = ${Math.abs(a - b)}.`;
  },
  (r) => {
    const a = r.range(2, 9),
      b = r.range(2, 9);
    return `${a} times ${b} is ${a * b}.`;
  },
  (r) => {
    const i = r.int(DAYS.length);
    return `After ${DAYS[i]} comes ${DAYS[(i + 1) % DAYS.length]}.`;
  },
  (r) => {
    const i = r.int(MONTHS.length);
    return `The month after ${MONTHS[i]} is ${MONTHS[(i + 1) % MONTHS.length]}.`;
  },
  (r) => {
    const start = r.range(0, 40),
      step = r.range(1, 6);
    return `Count by ${step}: ${[0, 1, 2, 3, 4].map((k) => start + k * step).join(', ')}.`;
  },
  (r) => {
    const [country, capital] = r.pick(CAPITALS);
    return r.chance(0.5) ? `The capital of ${country} is ${capital}.` : `${capital} is the capital of ${country}.`;
  },
  (r) => {
    const [a, b] = r.pick(ANTONYMS);
    return r.chance(0.5) ? `The opposite of ${a} is ${b}.` : `${capitalize(b)} is the opposite of ${a}.`;
  },
  (r) => {
    const cat = r.pick(Object.keys(CATEGORIES));
    const m = CATEGORIES[cat];
    return `${capitalize(an(r.pick(m)))}, ${an(r.pick(m))} and ${an(r.pick(m))} are each a kind of ${cat}.`;
  },
  (r) => {
    const [country, capital] = r.pick(CAPITALS);
    return `Q: What is the capital of ${country}? A: ${capital}.`;
  },
  (r) => {
    const w = r.pick(NOUNS);
    return `Q: How do you spell ${w} backwards? A: ${[...w].reverse().join('')}.`;
  },
  (r) => `"${capitalize(r.pick(ADJECTIVES))} ${r.pick(NOUNS)}!" said ${r.pick(NAMES)}.`,
];

function paragraph(r: CounterRng): string {
  const n = r.range(2, 6);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.pick(SENTENCES)(r));
  return out.join(' ');
}

/** Text of at least `bytes` ASCII characters, a pure function of `seed`. */
export function pretrainCorpus(seed: number, bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const p = paragraph(rngFor(seed, i));
    parts.push(p);
    length += p.length + 2;
  }
  return parts.join('\n\n');
}
