/**
 * A sweep on a Hugging Face model folder (the committed GPT-2 fixture) through the real server: LISA γ × K × 2
 * seeds + LoRA + full run to the end with the folder's tokenizer, each run exports its model into its folder
 * (save_hf: true), and Figure 2 shows the fixture's layer groups (its head is tied to the embedding, so the
 * embedding row is the head's too).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ownServer, type OwnServer } from '../support/server';
import { ENDED, waitForSweep, type RunJson } from '../support/specs';

const FIXTURES = path.resolve('tests/fixtures/hf');
const SPEC = `name: gpt2-fixture-figure2
model: { path: ${path.join(FIXTURES, 'gpt2-tiny')} }
data: { path: ${path.join(FIXTURES, 'eval.txt')} }
train: { steps: 6, batch: 2, seq: 16, lr: 1.0e-3, eval_every: 3, norms_every: 2, eval_records: 4, save_hf: true }
parameters:
  gamma: { values: [1, 2] }
  interval: { values: [2, 3] }
seeds: [1, 2]
baselines:
  - { method: full }
  - { method: lora, rank: 2, alpha: 4, lora_targets: [c_attn] }
`;

let server: OwnServer;
let sweepId = '';
let runs: RunJson[] = [];

test.describe('a sweep on the GPT-2 fixture folder', () => {
  test.beforeAll(async () => {
    test.setTimeout(600_000);
    server = await ownServer({ LAYERLAB_SLOTS: '2', LAYERLAB_DATA_DIRS: FIXTURES });
    const dry = await fetch(`${server.url}/api/sweeps?dryRun=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: SPEC,
    });
    expect(dry.status).toBe(200);
    const plan = (await dry.json()) as { runs: { estimate: { memory: { params: number } } }[]; assumptions: string[] };
    expect(plan.runs).toHaveLength(12);
    expect(plan.assumptions[0]).toContain('gpt2-tiny/config.json (GPT2LMHeadModel)');
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: SPEC,
    });
    expect(res.status).toBe(201);
    sweepId = ((await res.json()) as { id: string }).id;
    runs = await waitForSweep(server.url, sweepId, 580_000, (rs) => rs.every((r) => ENDED.includes(r.status)));
  });
  test.afterAll(async () => {
    await server?.kill('SIGTERM');
  });

  test('every run finishes and writes its Hugging Face export into its run folder', async () => {
    expect(runs).toHaveLength(12);
    expect(runs.map((r) => `${r.kind}:${r.status}`).filter((s) => !s.endsWith(':finished'))).toEqual([]);
    for (const r of runs) {
      const hf = path.join(String(r.dir), 'hf');
      const files = r.kind === 'lora' ? ['adapter_config.json', 'adapter_model.safetensors'] : ['model.safetensors'];
      for (const f of ['tokenizer.json', ...files])
        expect(fs.existsSync(path.join(hf, f)), `${r.kind} ${f}`).toBe(true);
    }
  });

  test('a bad model folder is refused at submission with the reason, nothing stored', async () => {
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: SPEC.replace('gpt2-tiny', 'no-such-model'),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('model folder not found');
  });

  test("Figure 2 shows the fixture's layer groups for every method", async ({ page }) => {
    await page.goto(`${server.url}/sweeps/${sweepId}/norms?q=weight`);
    const fig = page.getByTestId('chart-figure2');
    await expect(fig).toBeVisible();
    await fig.getByRole('button', { name: 'data' }).click();
    const table = page.getByTestId('chart-figure2-data');
    await expect(table).toBeVisible();
    const head = await table.locator('thead th').allInnerTexts();
    expect(head).toEqual([
      'layer group',
      'Full',
      'LoRA r=2',
      'LISA γ=1 K=2',
      'LISA γ=1 K=3',
      'LISA γ=2 K=2',
      'LISA γ=2 K=3',
    ]);
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.map((r) => r[0])).toEqual(['embed', 'pos', 'block 0', 'block 1', 'final LN']);
    for (const r of rows) for (const v of r.slice(1)) expect(Number.isFinite(Number(v)), `${r[0]}: ${v}`).toBe(true);
  });
});
