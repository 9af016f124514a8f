/**
 * The new-sweep page's "Paste an ms-swift or LMFlow command": the article's LISA command becomes a spec draft
 * in the YAML and the form (γ 2, K 20, its lr), with the one warning about flags without meaning here.
 */
import { expect, test } from '@playwright/test';
import { ownServer, type OwnServer } from '../support/server';

let server: OwnServer;
test.beforeAll(async () => {
  server = await ownServer();
});
test.afterAll(async () => {
  await server?.kill('SIGTERM');
});

const ARTICLE = `sft.py --model_type qwen-7b-chat --preset nano --dataset ms-agent --batch_size 1 --max_length 2048 \\
  --gradient_accumulation_steps 16 --learning_rate 5e-05 --eval_steps 2000 --save_steps 2000 \\
  --gradient_checkpointing True --weight_decay 0.01 --warmup_ratio 0.03 --max_steps 20 \\
  --logging_steps 10 --sft_type full --lisa_activated_layers 2 --lisa_step_interval 20`;

test('a pasted ms-swift command fills the spec and the form; a bad one names its problem', async ({ page }) => {
  await page.goto(`${server.url}/sweeps/new`);
  await page.getByText('Paste an ms-swift or LMFlow command').click();
  const lora = ARTICLE.replace('--sft_type full', '--sft_type lora').replace(
    '--lisa_activated_layers 2 --lisa_step_interval 20',
    '--lora_rank 8',
  );
  await page.getByTestId('paste-command').fill(`${ARTICLE}\n${lora}`);
  await page.getByTestId('paste-command-make').click();
  const result = page.getByTestId('paste-command-result');
  await expect(result).toContainText('line 1: ms-swift → lisa; line 5: ms-swift → lora');
  await expect(result).toContainText('ignored, no meaning in LayerLab: model_type (');
  await expect(page.getByTestId('spec-yaml')).toHaveValue(/lr: 0\.00005/);
  await expect(page.getByLabel('γ values', { exact: true })).toHaveValue('2');
  await expect(page.getByLabel('K values', { exact: true })).toHaveValue('20');
  await expect(page.getByTestId('plan-run-count')).toHaveText('2');

  await page.getByTestId('paste-command').fill('sft.py --sft_type lora --lisa_activated_layers 2');
  await page.getByTestId('paste-command-make').click();
  await expect(page.getByRole('alert').filter({ hasText: 'needs sft_type full' })).toBeVisible();
});
