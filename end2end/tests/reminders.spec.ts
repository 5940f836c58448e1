import { test, expect, type Browser, type Page } from '@playwright/test';
import { DEMO_PASSWORD, LoginPage } from './pages';

async function signIn(page: Page, login: string) {
  const l = new LoginPage(page);
  await l.open();
  await l.signIn(login, DEMO_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
}

/** A second person on a second phone. */
async function asOther(browser: Browser, login: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const page = await context.newPage();
  await signIn(page, login);
  return page;
}

/** The unread count on the header's badge (0 when there is no badge). */
async function badge(page: Page): Promise<number> {
  const b = page.getByTestId('unread-badge');
  if ((await b.count()) === 0) return 0;
  return Number((await b.textContent())!.trim());
}

test.describe('reminders on a phone', () => {
  test('a supervisor reminds a cadre from the dashboard; the cadre reads it in the inbox', async ({ page, browser }) => {
    await signIn(page, 'supervisor');
    await expect(page).toHaveURL(/\/supervise$/);
    const row = page.locator('tr[data-cadre="cadre05"]');
    const button = row.getByRole('button', { name: '提醒' });
    await expect(button).toBeEnabled();
    await row.scrollIntoViewIfNeeded();
    const scrolled = await page.evaluate(() => window.scrollY);
    await button.click();
    // The page stays where it was; the row says when it was sent, and once a day is enough.
    await expect(row.locator('.reminded')).toContainText(/今天 \d\d:\d\d 已提醒/);
    await expect(row.getByRole('button', { name: '提醒' })).toHaveCount(0);
    await expect(page).toHaveURL(/\/supervise$/);
    expect(Math.abs((await page.evaluate(() => window.scrollY)) - scrolled)).toBeLessThan(40);

    const cadre = await asOther(browser, 'cadre05');
    const before = await badge(cadre);
    expect(before).toBeGreaterThanOrEqual(1);
    // The count is a real badge: white on the red header, readable.
    const pill = cadre.getByTestId('unread-badge');
    await expect(pill).toBeVisible();
    expect(await pill.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(255, 255, 255)');
    expect(await cadre.getByTestId('inbox-link').evaluate((a) => getComputedStyle(a).color)).toBe('rgb(255, 255, 255)');
    await cadre.getByTestId('inbox-link').click();
    await expect(cadre).toHaveURL(/\/inbox$/);
    await expect(cadre.getByTestId('unread-count')).toHaveText(`${before} 条未读`);
    // Newest first: the remind, naming the supervisor and what is missing.
    const first = cadre.getByTestId('inbox').locator('li.inbox-item').first();
    await expect(first).toHaveAttribute('data-kind', 'remind');
    await expect(first).toContainText('覃书记');
    await expect(first).toHaveAttribute('data-read', 'false');
    await first.getByRole('button', { name: '标为已读' }).click();
    await expect(cadre.getByTestId('inbox').locator('li.inbox-item').first()).toHaveAttribute('data-read', 'true');
    expect(await badge(cadre)).toBe(before - 1);
    if (before > 1) {
      await cadre.getByRole('button', { name: '全部标为已读' }).click();
      await expect(cadre.getByTestId('unread-count')).toHaveText('0 条未读');
    }
    await expect(cadre.getByTestId('unread-badge')).toHaveCount(0);
    // No sideways scroll on the inbox at 390 px.
    const overflow = await cadre.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  test('settings show the calendar link and keep an email address', async ({ page }) => {
    await signIn(page, 'cadre06');
    await page.goto('/settings');
    // The long calendar address wraps: no sideways scroll at 390 px.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const url = page.getByTestId('calendar-url');
    await expect(url).toContainText('/cal/');
    await expect(page.getByTestId('webcal-link')).toHaveAttribute('href', /^webcal:\/\/.*\.ics$/);
    const feed = await page.request.get((await url.textContent())!.trim().replace(/^https?:\/\/[^/]+/, ''));
    expect(feed.status()).toBe(200);
    expect(await feed.text()).toContain('BEGIN:VCALENDAR');
    const form = page.locator('form#notifications-form');
    await form.getByLabel('邮箱').fill('not-an-address');
    await form.getByRole('button', { name: '保存' }).click();
    await expect(form.getByText('请输入有效的邮箱地址')).toBeVisible();
    await expect(form.getByLabel('邮箱')).toHaveValue('not-an-address');
    await form.getByLabel('邮箱').fill('wang.fang@example.org');
    await form.getByRole('button', { name: '保存' }).click();
    await expect(page.getByRole('status')).toContainText('已保存');
    await expect(page.locator('form#notifications-form').getByLabel('邮箱')).toHaveValue('wang.fang@example.org');
    // A new address waits for its confirmation link before reminders go to it.
    await expect(page.getByTestId('email-pending')).toContainText('待确认');
  });

  test('an admin sees whether reminders run', async ({ page }) => {
    await signIn(page, 'sysadmin');
    await page.goto('/admin/reminders');
    await expect(page.getByRole('heading', { name: '提醒运行情况' })).toBeVisible();
    // The server ticks at start: its instance is listed.
    await expect(page.getByTestId('instances').locator('tbody tr')).toHaveCount(1);
    await expect(page.getByTestId('kinds')).toContainText('上级提醒');
  });
});
