import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signIn } from './pages';

// Every page for every role: no serious or critical axe-core violation (WCAG 2.1 A and AA), no
// sideways scroll at 390 px, and a screenshot of each (phone here; the desk in its own test).
// LIAISON_SCREENSHOT_DIR=docs/screenshots writes them where the README shows them.
const shots = process.env.LIAISON_SCREENSHOT_DIR ?? path.join(__dirname, '..', 'test-results', 'screenshots');

/** The first link on `from` whose address matches `pattern`, as a path. */
async function firstLink(page: Page, from: string, pattern: RegExp): Promise<string> {
  await page.goto(from);
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const found = hrefs.find((h) => pattern.test(h));
  expect(found, `a link like ${pattern} on ${from}`).toBeTruthy();
  return found!.split('#')[0];
}

async function check(page: Page, url: string, shot?: string) {
  const res = await page.goto(url);
  expect(res?.status(), url).toBeLessThan(400);
  await page.waitForLoadState('networkidle');
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(bad, `axe on ${url}`).toEqual([]);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide, `no sideways scroll on ${url}`).toBeLessThanOrEqual(0);
  if (shot) {
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, `${shot}-phone.png`), fullPage: false });
  }
}

test.describe('every page, every role, on a phone', () => {
  test.describe.configure({ timeout: 120_000 });

  test('signed out', async ({ page }) => {
    await check(page, '/login', 'login');
    await page.goto('/no/such/page');
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  });

  test('a cadre', async ({ page }) => {
    await signIn(page, 'cadre01');
    const youth = await firstLink(page, '/youth', /^\/youth\/\d+$/);
    const pages: [string, string?][] = [
      ['/', 'today'],
      ['/youth', 'roster'],
      [youth, 'youth'],
      [`${youth}/edit`],
      ['/youth/new'],
      ['/contacts/new'],
      [`/contacts/new?youth=${youth.split('/').pop()}`, 'contact'],
      ['/visits', 'visits'],
      ['/suggestions', 'suggestions'],
      ['/study', 'study'],
      ['/exemptions', 'leave'],
      ['/late'],
      ['/requests', 'requests'],
      ['/activities', 'activities'],
      ['/activities/friends'],
      ['/outbox'],
      ['/inbox', 'inbox'],
      ['/settings'],
    ];
    for (const [url, shot] of pages) await check(page, url, shot && `cadre-${shot}`);
  });

  test('a supervisor', async ({ page }) => {
    await signIn(page, 'supervisor');
    const drill = await firstLink(page, '/supervise', /^\/supervise\/cadres\/\d+/);
    const pages: [string, string?][] = [
      ['/supervise', 'dashboard'],
      [drill, 'drill'],
      ['/supervise/suggestions', 'review'],
      ['/supervise/exemptions'],
      ['/supervise/late'],
      ['/supervise/signoff', 'signoff'],
      ['/supervise/roster', 'roster'],
      ['/exports', 'exports'],
      ['/admin/import'],
      ['/inbox'],
      ['/settings'],
    ];
    for (const [url, shot] of pages) await check(page, url, shot && `supervisor-${shot}`);
    // Further down the dashboard: the trend, and the cadres as cards.
    await page.goto('/supervise');
    for (const [id, shot] of [['trend', 'trend'], ['cadre-table', 'cards']]) {
      await page.getByTestId(id).scrollIntoViewIfNeeded();
      await page.evaluate(() => window.scrollBy(0, -70));
      await page.screenshot({ path: path.join(shots, `supervisor-${shot}-phone.png`) });
    }
  });

  test('the system administrator', async ({ page }) => {
    await signIn(page, 'sysadmin');
    const pages: [string, string?][] = [
      ['/', 'home'],
      ['/admin/orgs', 'orgs'],
      ['/admin/users', 'users'],
      ['/admin/policy', 'policy'],
      ['/admin/calendar', 'calendar'],
      ['/admin/reminders'],
      ['/admin/import', 'import'],
      ['/admin/privacy', 'privacy'],
      ['/admin/pi-requests?q=张', 'pi-requests'],
      ['/settings'],
      ['/inbox'],
    ];
    for (const [url, shot] of pages) await check(page, url, shot && `admin-${shot}`);
  });

  test('the security administrator and the auditor', async ({ page }) => {
    await signIn(page, 'secadmin');
    await check(page, '/admin/security', 'secadmin-security');
    await check(page, '/admin/users', 'secadmin-users');
    await page.context().clearCookies();
    await signIn(page, 'auditor');
    await check(page, '/audit', 'auditor-audit');
    await check(page, '/audit?verify=1');
  });
});

test.describe('on a desk', () => {
  test.use({ viewport: { width: 1366, height: 768 }, isMobile: false, hasTouch: false });

  test('the main pages use the width and pass axe', async ({ page }) => {
    await signIn(page, 'supervisor');
    await check(page, '/supervise', 'supervisor-dashboard-desk');
    fs.renameSync(path.join(shots, 'supervisor-dashboard-desk-phone.png'), path.join(shots, 'supervisor-dashboard-desk.png'));
    // The cadre table is not clipped: the reasons and 提醒 are on screen without scrolling sideways.
    const table = page.getByTestId('cadre-table');
    const box = await table.boundingBox();
    expect(box!.width).toBeGreaterThan(1000);
    const act = table.locator('tbody tr').first().locator('td.act');
    await act.scrollIntoViewIfNeeded();
    const right = await act.evaluate((e) => e.getBoundingClientRect().right);
    expect(right, '提醒 without scrolling sideways').toBeLessThanOrEqual(1366);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    await page.context().clearCookies();
    await signIn(page, 'cadre01');
    await check(page, '/', 'cadre-today-desk');
    fs.renameSync(path.join(shots, 'cadre-today-desk-phone.png'), path.join(shots, 'cadre-today-desk.png'));
  });
});
