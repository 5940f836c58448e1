import { test, expect, chromium, type BrowserContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LoginPage, signIn } from './pages';

// The outbox: records saved without signal wait on the phone and reach the server exactly once;
// the service worker keeps the cadre's pages and a plain form posted offline; the app installs.

/** Rows of the app's database (the file the test server writes), by SQL. */
function count(sql: string, ...params: (string | number)[]): number {
  const py = 'import sqlite3,sys,json; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2], json.loads(sys.argv[3])).fetchone()[0])';
  return Number(execFileSync('python3', ['-c', py, process.env.LIAISON_E2E_DB!, sql, JSON.stringify(params)]).toString().trim());
}

const contactsWith = (text: string) => count('SELECT COUNT(*) FROM contacts WHERE content = ?', text);
const visitsWith = (text: string) => count('SELECT COUNT(*) FROM visit_days WHERE work_done = ?', text);

async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as unknown as { __hydrateIsland?: unknown }).__hydrateIsland !== undefined);
  await page.waitForFunction(() => (window as unknown as { liaisonOutbox?: unknown }).liaisonOutbox !== undefined);
}

/** The contact form of the first youth due on today's list. */
async function openContactForm(page: Page) {
  await page.goto('/');
  await page.getByTestId('today-contacts').getByRole('link', { name: '记联系' }).first().click();
  await expect(page).toHaveURL(/\/contacts\/new\?youth=\d+$/);
  await hydrated(page);
}

async function logContact(page: Page, content: string, date?: string) {
  if (date) await page.locator('input[name="contact_date"]').fill(date);
  await page.getByLabel('内容').fill(content);
  await page.getByRole('button', { name: '保存' }).click();
}

/** A date `n` days back (Asia/Shanghai), as the date inputs take it. */
function daysAgo(n: number) {
  return new Date(Date.now() + 8 * 3600 * 1000 - n * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

/** A day of the last week without a visit day of `cadre01` yet (one visit day a date). */
function freeVisitDate(): string {
  for (let n = 1; n <= 6; n++) {
    const d = daysAgo(n);
    const taken = count(
      "SELECT COUNT(*) FROM visit_days v JOIN accounts a ON a.id = v.cadre_id WHERE a.username = 'cadre01' AND v.visit_date = ?",
      d,
    );
    if (taken === 0) return d;
  }
  throw new Error('cadre01 has a visit day on every day of the last week');
}

async function logVisit(page: Page, work: string, date: string) {
  await page.locator('input[name="visit_date"]').fill(date);
  await page.getByLabel('组织').selectOption({ label: '河东社区团支部' });
  await page.getByLabel('时长（小时）').fill('4');
  await page.getByLabel('工作内容').fill(work);
  await page.getByRole('button', { name: '保存' }).click();
}

const badge = (page: Page) => page.getByTestId('outbox-badge');

// Screenshots of the outbox at 390 px (LIAISON_SCREENSHOT_DIR=docs/screenshots keeps them).
const shots = process.env.LIAISON_SCREENSHOT_DIR ?? path.join(__dirname, '..', 'test-results', 'screenshots');
async function shot(page: Page, name: string) {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}-phone.png`) });
}
const unique = (what: string) => `${what} ${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

async function goOnline(context: BrowserContext, page: Page) {
  await context.setOffline(false);
  // The page sends on `online`; the event is what a phone gets when the signal returns.
  await expect(badge(page)).toBeHidden({ timeout: 20_000 });
}

/**
 * Three contacts (on the contact form) and a visit day (in a second tab) saved offline: 待发送 4,
 * still there after a reload offline where a worker serves the pages, then each reaches the
 * server exactly once when the signal returns.
 */
async function fourOffline(page: Page, context: BrowserContext, visitDate: string, reload: boolean) {
  const visits = await context.newPage();
  // Pages the cadre opened online are the ones the worker has offline.
  if (reload) await visits.goto('/outbox');
  await visits.goto('/visits');
  await hydrated(visits);
  await openContactForm(page);
  const youth = (await page.locator('p.lead a').innerText()).trim();
  await context.setOffline(true);
  const texts = [unique('离线联系一'), unique('离线联系二'), unique('离线联系三')];
  for (const [i, text] of texts.entries()) {
    await logContact(page, text);
    await expect(page.locator('form .notice[role="status"]')).toHaveText('已保存在手机上，联网后自动发送');
    await expect(badge(page)).toHaveText(`待发送 ${i + 1}`);
    await expect(page.getByLabel('内容')).toHaveValue('');
  }
  const work = unique('离线下基层');
  await logVisit(visits, work, visitDate);
  await expect(visits.locator('form .notice[role="status"]')).toHaveText('已保存在手机上，联网后自动发送');
  await expect(badge(visits)).toHaveText('待发送 4');
  if (!reload) await shot(visits, 'cadre-offline');
  expect(texts.map(contactsWith)).toEqual([0, 0, 0]);
  if (!reload) {
    // Signing out needs a signal: it says so, and nothing is lost.
    const said = new Promise<string>((resolve) => page.once('dialog', (d) => { resolve(d.message()); void d.accept(); }));
    await page.getByRole('button', { name: '退出登录' }).click();
    expect(await said).toContain('退出登录需要网络');
    await expect(page).not.toHaveURL(/\/login/);
    await expect(badge(page)).toHaveText('待发送 4');
  }
  if (reload) {
    // The contact form again, from the worker's cache: drawn with the first contact's request
    // id, yet a fourth contact saved there is a record of its own.
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-offline', '');
    await hydrated(page);
    await expect(badge(page)).toHaveText('待发送 4');
    texts.push(unique('离线联系四'));
    await logContact(page, texts[3]);
    await expect(badge(page)).toHaveText('待发送 5');
    // The list, from the phone's store: each record, its state and age.
    await visits.goto('/outbox');
    const items = visits.getByTestId('outbox-item');
    await expect(items).toHaveCount(5);
    await expect(items.first()).toContainText(`记联系 · ${youth}`);
    await expect(items.first()).toContainText('待发送');
    await expect(items.first()).toContainText('刚刚');
    await expect(items.nth(3)).toContainText('记下基层 · 河东社区团支部');
  }
  await goOnline(context, visits);
  const once = texts.map(() => 1);
  expect(texts.map(contactsWith)).toEqual(once);
  expect(visitsWith(work)).toBe(1);
  // Nothing is sent again later.
  await page.reload();
  await expect(badge(page)).toBeHidden();
  expect(texts.map(contactsWith)).toEqual(once);
  expect(visitsWith(work)).toBe(1);
  await visits.close();
}

test.describe('the outbox, without a service worker (WeChat on iOS)', () => {
  test.use({ serviceWorkers: 'block' });

  test('three contacts and a visit day saved offline reach the server once each', async ({ page, context }) => {
    await signIn(page);
    await fourOffline(page, context, freeVisitDate(), false);
  });

  test('a replay whose answer was lost stores nothing twice', async ({ page, context }) => {
    await signIn(page);
    await openContactForm(page);
    await context.setOffline(true);
    const text = unique('回答丢失');
    await logContact(page, text);
    await expect(badge(page)).toHaveText('待发送 1');
    // The first replay reaches the server, its answer never comes back.
    let lost = 0;
    await page.route('**/api/outbox/replay', async (route) => {
      if (lost++ === 0) {
        await route.fetch();
        await route.abort('connectionreset');
      } else {
        await route.continue();
      }
    });
    await context.setOffline(false);
    await expect.poll(() => contactsWith(text)).toBe(1);
    await expect(badge(page)).toHaveText('待发送 1');
    // Sent again (the page's timer, or as here the outbox's 立即发送): stored once.
    await page.goto('/outbox');
    await page.getByTestId('outbox-send').click();
    await expect(badge(page)).toBeHidden({ timeout: 20_000 });
    expect(lost).toBeGreaterThanOrEqual(2);
    expect(contactsWith(text)).toBe(1);
  });

  test('a record the server refuses shows its message by the field, and is fixed and sent', async ({ page, context }) => {
    await signIn(page);
    await openContactForm(page);
    await context.setOffline(true);
    const text = unique('日期填错');
    const tomorrow = daysAgo(-1);
    await logContact(page, text, tomorrow);
    await expect(badge(page)).toHaveText('待发送 1');
    await context.setOffline(false);
    await page.goto('/outbox');
    const item = page.getByTestId('outbox-item');
    await expect(item).toHaveAttribute('data-state', 'invalid', { timeout: 20_000 });
    await expect(item).toContainText('需修改');
    await expect(item.locator('.field-error')).toContainText('不能晚于今天');
    await expect(badge(page)).toHaveClass(/invalid/);
    await shot(page, 'cadre-outbox');
    await item.getByTestId('outbox-fix').click();
    await expect(page).toHaveURL(/\/contacts\/new\?youth=\d+#outbox=/);
    await hydrated(page);
    await expect(page.getByTestId('outbox-fixing')).toBeVisible();
    await expect(page.getByLabel('内容')).toHaveValue(text);
    const date = page.locator('input[name="contact_date"]');
    await expect(page.locator('.field.invalid').filter({ has: date })).toContainText('不能晚于今天');
    await date.fill(daysAgo(0));
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.locator('form .notice[role="status"]')).toHaveText('已保存');
    await expect(badge(page)).toBeHidden();
    expect(contactsWith(text)).toBe(1);
  });

  test("another account on the same phone never sees the first one's records; signing out warns", async ({ page, context }) => {
    await signIn(page, 'cadre01');
    await openContactForm(page);
    await context.setOffline(true);
    const text = unique('换人登录');
    await logContact(page, text);
    await expect(badge(page)).toHaveText('待发送 1');
    // The replay is blocked, so the record is still waiting at sign-out.
    await page.route('**/api/outbox/replay', (route) => route.abort('internetdisconnected'));
    await context.setOffline(false);
    // Waiting for more than a day turns the badge red.
    await page.evaluate(async () => {
      const w = window as unknown as {
        liaisonOutboxStore: { list(a: string): Promise<{ typed_at: number }[]>; put(r: unknown): Promise<void> };
        liaisonOutbox: { refresh(): Promise<void> };
      };
      const account = JSON.parse(document.getElementById('outbox-config')!.dataset.config!).account;
      for (const r of await w.liaisonOutboxStore.list(account)) {
        r.typed_at -= 2 * 24 * 3600 * 1000;
        await w.liaisonOutboxStore.put(r);
      }
      await w.liaisonOutbox.refresh();
    });
    await expect(badge(page)).toHaveClass(/stale/);
    await page.getByRole('button', { name: '退出登录' }).click();
    const dialog = page.locator('dialog#signout-dialog');
    await expect(dialog.getByTestId('signout-pending')).toHaveText('还有 1 条未发送');
    await shot(page, 'cadre-signout');
    // Sending first fails while the server cannot be reached: it says so and stays.
    await dialog.getByTestId('signout-send').click();
    await expect(dialog.getByTestId('signout-pending')).toContainText('仍有 1 条未发送');
    await expect(page).not.toHaveURL(/\/login/);
    await dialog.getByTestId('signout-keep').click();
    await expect(page).toHaveURL(/\/login$/);
    await page.unroute('**/api/outbox/replay');

    await signIn(page, 'cadre02');
    await expect(badge(page)).toBeHidden();
    await page.goto('/outbox');
    await expect(page.getByTestId('outbox-empty')).toBeVisible();
    await page.waitForTimeout(1500);
    expect(contactsWith(text), 'never sent under cadre02').toBe(0);
    await new LoginPage(page).signOut();

    // Back as cadre01: the record is there and goes.
    await signIn(page, 'cadre01');
    await expect(badge(page)).toBeHidden({ timeout: 20_000 });
    expect(contactsWith(text)).toBe(1);
  });
});

test.describe('with the service worker', () => {
  async function controlled(page: Page) {
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      }
    });
  }

  test('three contacts and a visit day saved offline survive a reload offline and reach the server once each', async ({ page, context }) => {
    await signIn(page);
    await controlled(page);
    await fourOffline(page, context, freeVisitDate(), true);
  });

  test('the app is installable', async ({ baseURL }) => {
    // A browser profile of its own: Chrome installs nothing from an incognito window.
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-install-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
      baseURL,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      locale: 'zh-CN',
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await signIn(page);
      await controlled(page);
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      expect(installabilityErrors).toEqual([]);
      const { url, errors } = await cdp.send('Page.getAppManifest');
      expect(url).toMatch(/\/manifest\.webmanifest$/);
      expect(errors).toEqual([]);
      const manifest = await (await page.request.get('/manifest.webmanifest')).json();
      expect(manifest.name).toBe('团干部直接联系青年');
      expect(manifest.short_name).toBe('联系青年');
      expect(await page.locator('link[rel="apple-touch-icon"]').getAttribute('href')).toBe('/icons/apple-touch-icon.png');
      expect(await page.locator('meta[name="apple-mobile-web-app-title"]').getAttribute('content')).toBe('联系青年');
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  test('today opens offline from the cache, marked 离线, with what waits', async ({ page, context }) => {
    await signIn(page);
    await controlled(page);
    await page.goto('/');
    await expect(page.getByTestId('today-week')).toBeVisible();
    await openContactForm(page);
    await context.setOffline(true);
    const text = unique('缓存页面');
    await logContact(page, text);
    await expect(badge(page)).toHaveText('待发送 1');
    await page.goto('/');
    await expect(page.getByTestId('today-week')).toBeVisible();
    // From the worker's cache (it marks what it serves so), not the network.
    await expect(page.locator('html')).toHaveAttribute('data-offline', '');
    await expect(page.getByTestId('offline-note')).toBeVisible();
    await expect(badge(page)).toHaveText('待发送 1');
    // Reloaded offline: still there.
    await page.reload();
    await expect(badge(page)).toHaveText('待发送 1');
    await goOnline(context, page);
    expect(contactsWith(text)).toBe(1);
    // Signing out drops the cadre's pages from the cache.
    const pagesKept = () => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('liaison-pages-')).length);
    expect(await pagesKept()).toBeGreaterThan(0);
    await new LoginPage(page).signOut();
    expect(await pagesKept()).toBe(0);
  });

  test('a plain form posted offline before the wasm arrived lands in the outbox', async ({ page, context }) => {
    await signIn(page);
    await controlled(page);
    await page.goto('/visits');
    await hydrated(page);
    await context.setOffline(true);
    const work = unique('未加载脚本');
    await page.locator('input[name="visit_date"]').fill(freeVisitDate());
    await page.getByLabel('组织').selectOption({ label: '河东社区团支部' });
    await page.getByLabel('时长（小时）').fill('3');
    await page.getByLabel('工作内容').fill(work);
    // form.submit() posts as a page without JavaScript does (no submit handler runs).
    await page.locator('form#visit').evaluate((f: HTMLFormElement) => f.submit());
    await expect(page.getByTestId('outbox-kept').first()).toBeVisible();
    await context.setOffline(false);
    await page.goto('/');
    await expect(badge(page)).toBeHidden({ timeout: 20_000 });
    expect(visitsWith(work)).toBe(1);
  });
});
