/**
 * The New-sweep form as a view of the YAML text: read the form's fields out of the spec, and write one
 * field back into the YAML document (comments, key order and every other key kept). The text is the single
 * source of truth, so form and editor cannot drift apart.
 */
import { isMap, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';

export interface SpecForm {
  name: string;
  preset: string;
  data: string;
  steps: string;
  batch: string;
  lr: string;
  gammas: string;
  intervals: string;
  seeds: string;
  full: boolean;
  lora: boolean;
  loraRank: string;
  loraAlpha: string;
  /** A baseline's own learning rate: one value, a list (its own lr grid), or '' to follow the LISA lr. */
  fullLr: string;
  loraLr: string;
  /** `executor.kind`: '' for the server's default, `local` or `slurm`. */
  executor: string;
}

export type FormField = keyof SpecForm;

export type ReadResult = { ok: true; form: SpecForm } | { ok: false; error: string };

type Plain = Record<string, unknown>;
const obj = (v: unknown): Plain => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Plain) : {});
const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const list = (v: unknown) => (Array.isArray(v) ? v.map(text).join(', ') : text(v));

function paramText(p: unknown): string {
  const o = obj(p);
  return 'values' in o ? list(o.values) : text(o.value);
}

/** A learning rate as the form shows it: `0.003` or, for a grid `{ values: [...] }`, `0.003, 0.01`. */
const lrText = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? paramText(v) : text(v));

function parse(yamlText: string): Document {
  return parseDocument(yamlText, { prettyErrors: true });
}

export function readForm(yamlText: string): ReadResult {
  const doc = parse(yamlText);
  if (doc.errors.length) return { ok: false, error: doc.errors[0].message };
  const spec = obj(doc.toJS());
  const train = obj(spec.train);
  const params = obj(spec.parameters);
  const baselines = Array.isArray(spec.baselines) ? spec.baselines.map(obj) : [];
  const lora = baselines.find((b) => b.method === 'lora');
  return {
    ok: true,
    form: {
      name: text(spec.name),
      preset: text(obj(spec.model).preset),
      data: text(obj(spec.data).preset ?? obj(spec.data).path),
      steps: text(train.steps),
      batch: text(train.batch),
      lr: 'values' in obj(params.lr) ? paramText(params.lr) : text(train.lr),
      gammas: paramText(params.gamma),
      intervals: paramText(params.interval),
      seeds: list(spec.seeds),
      full: baselines.some((b) => b.method === 'full'),
      lora: !!lora,
      loraRank: text(lora?.rank),
      loraAlpha: text(lora?.alpha),
      fullLr: lrText(baselines.find((b) => b.method === 'full')?.lr),
      loraLr: lrText(lora?.lr),
      executor: text(obj(spec.executor).kind),
    },
  };
}

/** "1, 2,4" → [1, 2, 4]; null when any item is not a number. An empty text is an empty list. */
export function parseNumberList(s: string): number[] | null {
  const items = s.split(/[,\s]+/).filter(Boolean);
  const xs = items.map(Number);
  return xs.every(Number.isFinite) ? xs : null;
}

function parseNumber(s: string): number | null {
  const t = s.trim();
  return t === '' || !Number.isFinite(Number(t)) ? null : Number(t);
}

const flowNode = (doc: Document, value: unknown) => doc.createNode(value, { flow: true });

/** '' → undefined (follow the shared lr), one number → that number, several → `{ values }`; null when invalid. */
export function parseLr(s: string): number | { values: number[] } | undefined | null {
  const xs = parseNumberList(s);
  if (!xs) return null;
  if (xs.length === 0) return undefined;
  return xs.length === 1 ? xs[0] : { values: xs };
}

function setBaselines(doc: Document, form: SpecForm): void {
  const current = doc.get('baselines');
  const others = isSeq(current)
    ? (current as YAMLSeq).items.filter(
        (i) => !(isMap(i) && ['full', 'lora'].includes(String((i as YAMLMap).get('method')))),
      )
    : [];
  const lora: Plain = { method: 'lora' };
  const rank = parseNumber(form.loraRank);
  const alpha = parseNumber(form.loraAlpha);
  if (rank !== null) lora.rank = rank;
  if (alpha !== null) lora.alpha = alpha;
  const loraLr = parseLr(form.loraLr);
  if (loraLr) lora.lr = loraLr;
  const full: Plain = { method: 'full' };
  const fullLr = parseLr(form.fullLr);
  if (fullLr) full.lr = fullLr;
  const seq = doc.createNode([]) as YAMLSeq;
  if (form.full) seq.items.push(flowNode(doc, full));
  if (form.lora) seq.items.push(flowNode(doc, lora));
  seq.items.push(...others);
  if (seq.items.length) doc.set('baselines', seq);
  else doc.delete('baselines');
}

/**
 * Write the form's `field` into the YAML. Returns the new text, or an error message for the field when the
 * value cannot be written (not a number, say): then the text is left as it was.
 */
export function writeField(yamlText: string, form: SpecForm, field: FormField): { yaml: string } | { error: string } {
  const doc = parse(yamlText);
  if (doc.errors.length) return { error: 'fix the YAML first' };
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as YAMLMap;
  const v = form[field];
  const num = (path: string[]) => {
    const n = parseNumber(String(v));
    if (n === null) return { error: 'enter a number' };
    doc.setIn(path, n);
    return null;
  };
  const numList = (path: string[], wrap: (xs: number[]) => unknown) => {
    const xs = parseNumberList(String(v));
    if (!xs || xs.length === 0) return { error: 'enter numbers separated by commas' };
    doc.setIn(path, flowNode(doc, wrap(xs)));
    return null;
  };
  let err: { error: string } | null = null;
  switch (field) {
    case 'name':
      doc.set('name', String(v));
      break;
    case 'preset':
      doc.setIn(['model', 'preset'], String(v));
      break;
    case 'data':
      doc.setIn(['data'], flowNode(doc, /[./]/.test(String(v)) ? { path: String(v) } : { preset: String(v) }));
      break;
    case 'steps':
      err = num(['train', 'steps']);
      break;
    case 'batch':
      err = num(['train', 'batch']);
      break;
    case 'lr':
      err = lisaLr(doc, String(v));
      break;
    case 'gammas':
      err = numList(['parameters', 'gamma'], (values) => ({ values }));
      break;
    case 'intervals':
      err = numList(['parameters', 'interval'], (values) => ({ values }));
      break;
    case 'seeds':
      err = numList(['seeds'], (xs) => xs);
      break;
    case 'executor':
      // Only the kind: Slurm options (partition, time, ...) written in the YAML are kept.
      if (v === '') doc.delete('executor');
      else if (isMap(doc.get('executor'))) doc.setIn(['executor', 'kind'], String(v));
      else doc.set('executor', flowNode(doc, { kind: String(v) }));
      break;
    case 'fullLr':
    case 'loraLr':
      if (parseLr(String(v)) === null) err = { error: 'enter a number, or numbers separated by commas' };
      else setBaselines(doc, form);
      break;
    case 'full':
    case 'lora':
    case 'loraRank':
    case 'loraAlpha':
      setBaselines(doc, form);
      break;
  }
  return err ?? { yaml: doc.toString({ lineWidth: 0 }) };
}

/**
 * The LISA runs' lr: one value is `train.lr` (baselines without their own lr follow it); several are the
 * sweep parameter `lr: { values }`, which baselines without their own lr sweep too.
 */
function lisaLr(doc: Document, text: string): { error: string } | null {
  const lr = parseLr(text);
  if (lr === null) return { error: 'enter a number, or numbers separated by commas' };
  const drop = (path: string[]) => doc.hasIn(path) && doc.deleteIn(path);
  if (lr === undefined) {
    drop(['train', 'lr']);
    drop(['parameters', 'lr']);
  } else if (typeof lr === 'number') {
    drop(['parameters', 'lr']);
    doc.setIn(['train', 'lr'], lr);
  } else {
    drop(['train', 'lr']);
    doc.setIn(['parameters', 'lr'], flowNode(doc, lr));
  }
  return null;
}

/** Which form field a validation problem belongs to (by its path), or null for the general list. */
export function fieldOfProblem(path: string): FormField | null {
  const rules: [RegExp, FormField][] = [
    [/^name\b/, 'name'],
    [/^model\b/, 'preset'],
    [/^data\b/, 'data'],
    [/^train\.steps\b/, 'steps'],
    [/^train\.batch\b/, 'batch'],
    [/^(train|parameters)\.lr\b/, 'lr'],
    [/^parameters\.gamma\b/, 'gammas'],
    [/^parameters\.interval\b/, 'intervals'],
    [/^seeds\b/, 'seeds'],
    [/^executor\b/, 'executor'],
    [/^baselines\b.*\brank\b/, 'loraRank'],
    [/^baselines\b.*\balpha\b/, 'loraAlpha'],
    [/^baselines\b/, 'lora'],
  ];
  return rules.find(([re]) => re.test(path))?.[1] ?? null;
}
