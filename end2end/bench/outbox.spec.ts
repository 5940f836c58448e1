import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import { DEMO_PASSWORD, LoginPage } from '../tests/pages';

// 1. What the first load of a cadre page downloads besides its HTML, compressed as served over
//    HTTPS (brotli): the bundle, the outbox script, the worker and what the worker keeps.
// 2. 50 records saved offline, then the signal returns on a 400 ms / 400 kbps link: the time
//    until the last is stored (budget: 10 s).

function count(sql: string, ...params: (string | number)[]): number {
  const py = 'import sqlite3,sys,json; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2], json.loads(sys.argv[3])).fetchone()[0])';
  return Number(execFileSync('python3', ['-c', py, process.env.LIAISON_E2E_DB!, sql, JSON.stringify(params)]).toString().trim());
}

function bytes(url: string, encoding: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => resolve(n));
    }).on('error', reject);
  });
}

test('first load of a cadre page', async ({ page, baseURL }) => {
  const login = new LoginPage(page);
  await login.open();
  await login.signIn('cadre01', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  const html = await page.content();
  // The stylesheet, the islands' module and its wasm (preloaded), the outbox script; the page
  // registers the worker, which keeps its own list.
  const assets = [...html.matchAll(/(?:src|href)="(\/pkg\/[^"]+|\/outbox\.js[^"]*)"/g)].map((m) => m[1]);
  expect(assets.some((a) => a.endsWith('.wasm'))).toBe(true);
  const sw = await (await page.request.get('/sw.js')).text();
  const kept: string[] = JSON.parse(/var PRECACHE = (\[[^\]]*\]);/.exec(sw)![1]);
  const files = [...new Set([...assets, '/sw.js', ...kept])];
  let total = { br: 0, gzip: 0, raw: 0 };
  console.log('| file | raw | brotli | gzip |');
  for (const f of files) {
    const [br, gzip, raw] = await Promise.all(['br', 'gzip', 'identity'].map((e) => bytes(baseURL + f, e)));
    total = { br: total.br + br, gzip: total.gzip + gzip, raw: total.raw + raw };
    console.log(`| ${f} | ${raw} | ${br} | ${gzip} |`);
  }
  console.log(`| total | ${total.raw} | ${total.br} | ${total.gzip} |`);
});

async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as unknown as { __hydrateIsland?: unknown }).__hydrateIsland !== undefined);
  await page.waitForFunction(() => (window as unknown as { liaisonOutbox?: unknown }).liaisonOutbox !== undefined);
}

test.describe('50 records after the signal returns', () => {
  test.use({ serviceWorkers: 'block' });
  for (const run of [1, 2, 3]) {
    test(`run ${run}`, async ({ page }) => {
      const login = new LoginPage(page);
      await login.open();
      await login.signIn('cadre01', DEMO_PASSWORD);
      await page.goto('/');
      await page.getByTestId('today-contacts').getByRole('link', { name: '记联系' }).first().click();
      await hydrated(page);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      const tag = `基准 ${run} ${Date.now()}`;
      for (let i = 0; i < 50; i++) {
        await page.getByLabel('内容').fill(`${tag} 第${i + 1}条：面对面了解青年近况，记录诉求与建议`);
        await page.getByRole('button', { name: '保存' }).click();
        await expect(page.getByTestId('outbox-badge')).toHaveText(`待发送 ${i + 1}`);
      }
      expect(count("SELECT COUNT(*) FROM contacts WHERE content LIKE ?", `${tag}%`)).toBe(0);
      const started = Date.now();
      // 400 ms latency, 400 kbit/s each way (50,000 bytes a second).
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 });
      await expect(page.getByTestId('outbox-badge')).toBeHidden({ timeout: 120_000 });
      const took = Date.now() - started;
      expect(count("SELECT COUNT(*) FROM contacts WHERE content LIKE ?", `${tag}%`)).toBe(50);
      console.log(`run ${run}: 50 records stored ${took} ms after the signal returned`);
    });
  }
});
