import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signIn } from './pages';

// An activity on a phone: the cadre creates it and ticks five youths from the roster (five
// contacts on their profiles); a youth without an account opens the code's address in another
// browser and signs in; the cadre accepts the new friend onto the roster.

const shots = process.env.LIAISON_SCREENSHOT_DIR ?? path.join(__dirname, '..', 'test-results', 'screenshots');

async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as unknown as { __hydrateIsland?: unknown }).__hydrateIsland !== undefined);
  await page.waitForLoadState('networkidle');
}

async function noOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'nothing wider than the phone').toBeLessThanOrEqual(0);
}

async function axe(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(bad).toEqual([]);
}

async function shot(page: Page, name: string, fullPage = false) {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage });
}

test('a cadre ticks five youths at an activity, a youth signs in by its code, the cadre accepts the new friend', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const title = `主题团日 ${Date.now() % 100000}`;
  await signIn(page, 'cadre01');
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '活动' }).click();
  await expect(page).toHaveURL(/\/activities$/);
  await hydrated(page);
  const form = page.locator('#activity');
  if (!(await form.isVisible())) {
    await page.getByText('新建活动').click();
  }
  await form.getByLabel('活动名称').fill(title);
  await form.getByLabel('活动类型').selectOption('theme_day');
  await form.getByLabel('活动地点').fill('街道团工委活动室');
  await noOverflow(page);
  await shot(page, 'activity-new-phone');
  await form.getByRole('button', { name: '保存活动' }).click();
  const item = page.getByTestId('activities').getByRole('link', { name: new RegExp(title) });
  await expect(item).toBeVisible();
  await item.click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await hydrated(page);

  // The code: a QR code drawn on the server, the short code and its address.
  await expect(page.getByTestId('activity-qr').locator('svg')).toBeVisible();
  await expect(page.getByTestId('activity-code')).toHaveText(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  const url = (await page.getByTestId('activity-url').getAttribute('href'))!;
  expect(url).toMatch(/\/a\/[2-9A-Z]{12}$/);
  const shown = (await page.getByTestId('activity-code').innerText()).trim();
  await noOverflow(page);
  await shot(page, 'activity-code-phone');

  // Search narrows the roster; tick five youths and save.
  const picks = page.getByTestId('picks');
  const boxes = picks.locator('li:not([hidden]) input[type=checkbox]');
  const all = await boxes.count();
  expect(all).toBeGreaterThan(5);
  const firstName = (await picks.locator('li').first().locator('span').first().innerText()).trim();
  await page.getByLabel('搜索名单').fill(firstName);
  await expect(boxes).not.toHaveCount(all);
  await page.getByLabel('搜索名单').fill('');
  await expect(boxes).toHaveCount(all);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const box = boxes.nth(i);
    await box.check();
    ids.push((await box.getAttribute('value'))!);
  }
  await page.getByTestId('save-attendees').click();
  await expect(page.getByRole('status').first()).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: '参加的青年（5）' })).toBeVisible();
  await shot(page, 'activity-attendees-phone');

  // Five contacts, one on each profile.
  for (const id of ids) {
    await page.goto(`/youth/${id}`);
    await expect(page.locator('main')).toContainText(title);
    await expect(page.locator('main')).toContainText('活动');
  }

  // A youth without an account opens the code's address (as a scan would) and signs in.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const youth = await context.newPage();
  const path_ = new URL(url).pathname;
  // Typed by hand on /a (no scanner): the code as shown, in small letters, goes to the same page.
  await youth.goto('/a');
  await axe(youth);
  await youth.getByLabel(/签到码/).fill(shown.toLowerCase());
  await youth.getByRole('button', { name: '前往签到' }).click();
  await expect(youth).toHaveURL(new RegExp(`${path_}$`));
  await expect(youth.getByRole('heading', { name: '活动签到' })).toBeVisible();
  await expect(youth.getByTestId('activity-title')).toHaveText(title);
  await expect(youth.getByTestId('privacy-notice')).toContainText('个人信息处理告知');
  await axe(youth);
  await noOverflow(youth);
  const phone = `139${String(Date.now()).slice(-8)}`;
  await youth.getByLabel('姓名', { exact: true }).fill('扫码新朋友');
  await youth.getByLabel('手机号').fill(phone);
  await youth.getByLabel('想说的话或诉求（选填）').fill('想了解志愿服务');
  await shot(youth, 'signin-phone');
  // Without consent nothing is taken.
  await youth.getByRole('button', { name: '签到' }).click();
  await expect(youth.locator('.field-error')).toContainText('请阅读并勾选同意');
  await expect(youth.getByLabel('姓名', { exact: true })).toHaveValue('扫码新朋友');
  await youth.getByLabel('我已阅读并同意以上个人信息处理告知').check();
  await youth.getByRole('button', { name: '签到' }).click();
  await expect(youth.getByTestId('signin-done')).toHaveText('签到成功');
  await shot(youth, 'signin-done-phone');
  await context.close();

  // The cadre accepts the new friend: on the roster now.
  await page.goto('/activities');
  await expect(page.getByTestId('friends-link')).toContainText(/新朋友申请（[1-9]\d*）/);
  await page.getByTestId('friends-link').click();
  await expect(page).toHaveURL(/\/activities\/friends$/);
  await hydrated(page);
  const friend = page.getByTestId('friend').filter({ hasText: phone });
  await expect(friend).toContainText('扫码新朋友');
  await expect(friend).toContainText(title);
  await expect(friend).toContainText('想了解志愿服务');
  await axe(page);
  await noOverflow(page);
  await shot(page, 'friends-phone');
  await friend.getByTestId('accept').click();
  await expect(page.getByTestId('friend').filter({ hasText: phone })).toHaveCount(0);
  await page.goto('/youth');
  await expect(page.locator('main')).toContainText('扫码新朋友');
});
