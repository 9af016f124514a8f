// Pins the numbers of fixed nano runs (full, LoRA, LISA) on the cpu and wasm backends: every loss of 10 steps
// and a SHA-256 of the final weights, as the code computed them when this test was written. A kernel or op
// change that alters any bit (summation order, a fused multiply-add, another formula) fails here; an
// intended numerics change must update these values and say so.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { trainConfigSchema, type TrainConfigInput } from '../lib/protocol/config';
import { chooseBackend } from './backend';
import { learningRate } from './optim';
import { buildRun, disposeRun } from './setup';
import { beginStep, scheduleOf, update } from './train';

const STEPS = 10;

interface Fingerprint {
  losses: number[];
  weights: string;
}

function fingerprint(settings: TrainConfigInput): Fingerprint {
  const config = trainConfigSchema.parse({ preset: 'nano', lr: 3e-3, seed: 3, batch: 4, ...settings });
  const r = buildRun(config, null, null);
  const losses: number[] = [];
  for (let step = 1; step <= STEPS; step++) {
    beginStep(r, step);
    losses.push(update(r, step, learningRate(step, scheduleOf(r.config))).loss);
  }
  const hash = createHash('sha256');
  for (const p of r.model.params) hash.update(p.variable.dataSync() as Float32Array);
  disposeRun(r);
  return { losses, weights: hash.digest('hex') };
}

/** Full from scratch (seq 32: tile-aligned attention), LoRA and LISA fine-tuning (seq 30: padded tiles). */
const RUNS: Record<string, TrainConfigInput> = {
  full: { stage: 'pretrain', method: 'full', seq: 32 },
  lora: { stage: 'finetune', data: 'instruct', method: 'lora', rank: 4, alpha: 8, seq: 32 },
  lisa: { stage: 'finetune', data: 'instruct', method: 'lisa', gamma: 1, interval: 3, seq: 30 },
};

const PINNED: Record<string, Record<string, Fingerprint>> = {
  cpu: {
    full: {
      losses: [
        5.554199695587158, 5.341268062591553, 5.2172932624816895, 5.111559867858887, 5.023562431335449,
        4.953052997589111, 4.803066730499268, 4.68096399307251, 4.565774917602539, 4.552584171295166,
      ],
      weights: '25035e6e5f9b45ea34e49d2406123097cf684690312287bf6ca1649779f3be1f',
    },
    lora: {
      losses: [
        5.530325889587402, 5.482207775115967, 5.491206169128418, 5.458385944366455, 5.463891983032227,
        5.435964584350586, 5.405587196350098, 5.388084411621094, 5.345588207244873, 5.418171405792236,
      ],
      weights: '80c635bbae4fa8b3a1e5aa00b866359ca5246f1eee6efd6715c51f256793080a',
    },
    lisa: {
      losses: [
        5.540145397186279, 5.452010154724121, 5.39093542098999, 5.213476181030273, 5.2026286125183105,
        5.201858997344971, 5.032749176025391, 4.879552364349365, 4.79339075088501, 4.930067539215088,
      ],
      weights: 'ac19830fa9b4b128fbf062c95a6b22a775c06135887b4c948da3aac77d2baee8',
    },
  },
  wasm: {
    full: {
      losses: [
        5.554198265075684, 5.341267108917236, 5.217291831970215, 5.1115593910217285, 5.023563861846924,
        4.953052997589111, 4.803066253662109, 4.680964946746826, 4.565775394439697, 4.552583694458008,
      ],
      weights: '6a1bca87b5e57a785de004f8db6502428622c2a33314654298d314b7d51102bf',
    },
    lora: {
      losses: [
        5.530325889587402, 5.482208251953125, 5.491206169128418, 5.458385467529297, 5.463891983032227,
        5.435965538024902, 5.405587673187256, 5.3880839347839355, 5.345588684082031, 5.4181718826293945,
      ],
      weights: 'f467a2c797d335a050e81d3543399939b742f5728ca435859136d4f02f435dd0',
    },
    lisa: {
      losses: [
        5.540145397186279, 5.452010154724121, 5.390934467315674, 5.213476181030273, 5.2026286125183105,
        5.2018585205078125, 5.032749176025391, 4.879551887512207, 4.793391704559326, 4.930065155029297,
      ],
      weights: '0345405cdb8d9f3dc9bb088eff516fb98a83de66c2c087a5e1fcdaeb575cf0c5',
    },
  },
};

describe.each(['cpu', 'wasm'] as const)('pinned nano runs on %s', (backend) => {
  for (const [name, settings] of Object.entries(RUNS)) {
    it(`${name}: losses and final weights are bit-identical to the pinned ones`, async () => {
      await chooseBackend(backend, []);
      const got = fingerprint(settings);
      if (process.env.LAYERLAB_PRINT_PINS) console.log(JSON.stringify({ backend, name, ...got }));
      expect(got).toEqual(PINNED[backend]?.[name]);
    });
  }
});
