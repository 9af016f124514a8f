import { describe, expect, it } from 'vitest';
import { specPreset } from '@/lib/sweep/presets';
import { fieldOfProblem, parseNumberList, readForm, writeField, type SpecForm } from './spec-form';

const nano = specPreset('nano-demo')!.yaml;
const formOf = (y: string): SpecForm => {
  const r = readForm(y);
  if (!r.ok) throw new Error(r.error);
  return r.form;
};

describe('spec form ↔ YAML', () => {
  it('reads the nano preset into the form', () => {
    expect(formOf(nano)).toMatchObject({
      name: 'nano-demo',
      preset: 'nano',
      data: 'instruct',
      steps: '10',
      batch: '4',
      lr: '',
      gammas: '1, 2',
      intervals: '2, 5',
      seeds: '1, 2',
      full: true,
      lora: true,
      loraRank: '4',
      loraAlpha: '8',
      fullLr: '',
      loraLr: '0.003',
      executor: '',
    });
  });

  it('picks the executor: a kind is written, Slurm options kept, the default removes the section', () => {
    let r = writeField(nano, { ...formOf(nano), executor: 'slurm' }, 'executor');
    if (!('yaml' in r)) throw new Error(r.error);
    expect(r.yaml).toContain('executor: { kind: slurm }');
    const withOptions = r.yaml.replace('{ kind: slurm }', '{ kind: slurm, partition: gpu }');
    r = writeField(withOptions, { ...formOf(withOptions), executor: 'local' }, 'executor');
    if (!('yaml' in r)) throw new Error(r.error);
    expect(formOf(r.yaml).executor).toBe('local');
    expect(r.yaml).toContain('partition: gpu');
    r = writeField(r.yaml, { ...formOf(r.yaml), executor: '' }, 'executor');
    if (!('yaml' in r)) throw new Error(r.error);
    expect(r.yaml).not.toContain('executor');
  });
  it('writes a field back, keeping comments and other keys', () => {
    const f = { ...formOf(nano), gammas: '1, 2, 4', steps: '12' };
    let r = writeField(nano, f, 'gammas');
    if (!('yaml' in r)) throw new Error(r.error);
    r = writeField(r.yaml, f, 'steps');
    if (!('yaml' in r)) throw new Error(r.error);
    expect(r.yaml).toContain('# A few steps on the nano preset');
    expect(r.yaml).toContain('gamma: { values: [ 1, 2, 4 ] }');
    expect(r.yaml).toContain('eval_every: 5');
    expect(formOf(r.yaml)).toMatchObject({ gammas: '1, 2, 4', steps: '12', intervals: '2, 5' });
  });
  it('toggles baselines and edits the LoRA rank', () => {
    const f = { ...formOf(nano), full: false, loraRank: '16' };
    const r = writeField(nano, f, 'full');
    if (!('yaml' in r)) throw new Error(r.error);
    expect(formOf(r.yaml)).toMatchObject({ full: false, lora: true, loraRank: '16', loraAlpha: '8' });
    const none = writeField(r.yaml, { ...f, lora: false }, 'lora');
    if (!('yaml' in none)) throw new Error(none.error);
    expect(none.yaml).not.toContain('baselines');
  });
  it('refuses values that are not numbers and leaves the YAML alone', () => {
    expect(writeField(nano, { ...formOf(nano), steps: 'ten' }, 'steps')).toEqual({ error: 'enter a number' });
    expect(writeField(nano, { ...formOf(nano), seeds: '1, x' }, 'seeds')).toHaveProperty('error');
    expect(parseNumberList('1, 2 3')).toEqual([1, 2, 3]);
  });
  it('reports YAML syntax errors instead of a form', () => {
    const r = readForm('name: [unclosed');
    expect(r.ok).toBe(false);
  });
  it('maps problem paths to fields', () => {
    expect(fieldOfProblem('parameters.gamma.values[1]')).toBe('gammas');
    expect(fieldOfProblem('train.steps')).toBe('steps');
    expect(fieldOfProblem('baselines[1].rank')).toBe('loraRank');
    expect(fieldOfProblem('flavour')).toBeNull();
  });
  it('gives each method its own lr: one value, or a list that becomes that method’s lr grid', () => {
    const f = { ...formOf(nano), loraLr: '0.003, 0.01', fullLr: '1e-3' };
    let r = writeField(nano, f, 'loraLr');
    if (!('yaml' in r)) throw new Error(r.error);
    r = writeField(r.yaml, f, 'fullLr');
    if (!('yaml' in r)) throw new Error(r.error);
    expect(r.yaml).toContain('- { method: full, lr: 0.001 }');
    expect(r.yaml).toContain('- { method: lora, rank: 4, alpha: 8, lr: { values: [ 0.003, 0.01 ] } }');
    expect(formOf(r.yaml)).toMatchObject({ fullLr: '0.001', loraLr: '0.003, 0.01', lr: '' });
    const lisa = writeField(r.yaml, { ...formOf(r.yaml), lr: '3e-4, 1e-3' }, 'lr');
    if (!('yaml' in lisa)) throw new Error(lisa.error);
    expect(lisa.yaml).toContain('lr: { values: [ 0.0003, 0.001 ] }');
    expect(formOf(lisa.yaml).lr).toBe('0.0003, 0.001');
    const single = writeField(lisa.yaml, { ...formOf(lisa.yaml), lr: '5e-4' }, 'lr');
    if (!('yaml' in single)) throw new Error(single.error);
    expect(single.yaml).not.toContain('values: [ 0.0003');
    expect(formOf(single.yaml).lr).toBe('0.0005');
    expect(writeField(nano, { ...formOf(nano), loraLr: 'fast' }, 'loraLr')).toEqual({
      error: 'enter a number, or numbers separated by commas',
    });
    expect(fieldOfProblem('parameters.lr.values[0]')).toBe('lr');
  });
});
