/**
 * Screenshots of the sweep views (curves, table, norms) for docs/screenshots/, from a running server that
 * holds a finished sweep:  npx tsx scripts/screenshots.ts http://127.0.0.1:3000 s-xxxxxxxx
 * Optionally a file-name prefix and runs whose pages (the LISA timeline) to take as well:
 *   npx tsx scripts/screenshots.ts http://127.0.0.1:3000 s-xxxxxxxx sampling- r-aaaaaaaa r-bbbbbbbb
 */
import { chromium } from '@playwright/test';

async function main(): Promise<void> {
  const [url, sweep, prefix = '', ...runs] = process.argv.slice(2);
  if (!url || !sweep) {
    console.error('usage: npx tsx scripts/screenshots.ts <server url> <sweep id>');
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const shots: [string, string, string][] = [
    ['curves', `/sweeps/${sweep}?s=0.6&b=std`, 'chart-curves-eval'],
    ['table', `/sweeps/${sweep}/table`, 'ablation-table'],
    ['norms', `/sweeps/${sweep}/norms`, 'lisa-timeline'],
    ...runs.map((r, i): [string, string, string] => [`timeline-${i + 1}`, `/runs/${r}`, 'lisa-timeline']),
  ];
  for (const [name, path, last] of shots) {
    await page.goto(url + path);
    await page.getByTestId(last).waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForTimeout(800); // ECharts draws its first frame after layout
    await page.screenshot({ path: `docs/screenshots/${prefix}${name}.png`, fullPage: true });
    console.log(`docs/screenshots/${prefix}${name}.png`);
  }
  await browser.close();
}

void main();
