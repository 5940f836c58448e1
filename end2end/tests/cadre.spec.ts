import { test, expect, type ConsoleMessage, type Page } from '@playwright/test';
import { DEMO_PASSWORD, LoginPage, TodayPage } from './pages';

async function signInAsCadre(page: Page) {
  const login = new LoginPage(page);
  await login.open();
  await login.signIn('cadre01', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
}

/** Resolves once the islands have hydrated (the wasm is there). */
async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as unknown as { __hydrateIsland?: unknown }).__hydrateIsland !== undefined);
  await page.waitForLoadState('networkidle');
}

test.describe('a cadre on a phone, with JavaScript', () => {
  const errors: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors.length = 0;
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAsCadre(page);
  });
  test.afterEach(() => {
    // A 422 (a form with an error) or a 404 (a page that does not exist) is what some tests ask for.
    const unexpected = errors.filter((e) => !/status of (404|422)/.test(e));
    expect(unexpected, 'no errors or warnings in the console').toEqual([]);
  });

  test('today shows the week, the youths due, the quarter and the month', async ({ page }) => {
    await expect(page.getByTestId('today-week')).toContainText('本周下基层');
    // The week as a person reads it, and the way to log it.
    await expect(page.getByTestId('week-span')).toHaveText(/^本周（\d{1,2}月\d{1,2}日–\d{1,2}月\d{1,2}日）$/);
    // Leave is a tap away, on today and in the menu.
    await expect(page.getByTestId('leave-link')).toBeVisible();
    await expect(page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '请假' })).toBeVisible();
    await expect(page.getByTestId('today-contacts')).toContainText(/待联系 \d+ 人/);
    await expect(page.getByTestId('today-contacts')).toContainText(/已逾期 \d+ 人/);
    await expect(page.getByTestId('today-suggestions')).toContainText('河东中学团委');
    await expect(page.getByTestId('today-study')).toContainText(/\/ 8 小时/);
    const actions = page.getByRole('navigation', { name: '快捷操作' });
    for (const action of ['记联系', '记下基层', '提建议']) {
      await expect(actions.getByRole('link', { name: action, exact: true })).toBeVisible();
    }
  });

  test('logs a contact for a due youth in three taps, without a page load, and sees it in the history', async ({ page }) => {
    const today = new TodayPage(page);
    const youth = today.firstDueYouth();
    const name = (await youth.locator('.name').innerText()).trim();
    // Tap 1: 记联系 next to the youth.
    await youth.getByRole('link', { name: '记联系' }).click();
    await expect(page).toHaveURL(/\/contacts\/new\?youth=\d+$/);
    await expect(page.locator('p.lead')).toContainText(name);
    await hydrated(page);
    const url = page.url();
    // A marker survives only if the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    // Typing, then tap 2: 保存 (date defaults to today, 方式 to 面对面).
    await page.getByLabel('内容').fill('面对面了解实习情况，鼓励参加青年大学习');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByRole('status')).toHaveText('已保存');
    expect(page.url()).toBe(url);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
    await expect(page.getByTestId('contacts').locator('li').first()).toContainText('面对面了解实习情况');
    await expect(page.getByLabel('内容')).toHaveValue('');

    // The youth's profile lists it first, and the youth is no longer due.
    await page.locator('p.lead a').click();
    await expect(page.getByTestId('contacts').locator('li').first()).toContainText('面对面了解实习情况');
    await expect(page.locator('.light.ok').first()).toHaveText('正常');
  });

  test('after saving a contact, the next due youth is one tap away', async ({ page }) => {
    const first = new TodayPage(page).firstDueYouth();
    const name = (await first.locator('.name').innerText()).trim();
    await first.getByRole('link', { name: '记联系' }).click();
    await hydrated(page);
    const seen = [name];
    for (let i = 0; i < 2; i++) {
      await page.getByLabel('内容').fill(`电话回访第 ${i + 1} 位`);
      await page.getByRole('button', { name: '保存' }).click();
      await expect(page.getByRole('status')).toHaveText('已保存');
      // The next one is offered: someone else, still due.
      const next = page.getByTestId('next-due');
      const nextName = (await next.locator('strong').innerText()).trim();
      expect(seen).not.toContain(nextName);
      await next.getByRole('link', { name: '记录下一位' }).click();
      await expect(page.locator('p.lead')).toContainText(nextName);
      await hydrated(page);
      seen.push(nextName);
    }
  });

  test('a missing field gets a message by the field and keeps what was typed', async ({ page }) => {
    await new TodayPage(page).firstDueYouth().getByRole('link', { name: '记联系' }).click();
    await hydrated(page);
    await page.getByLabel('诉求').fill('希望了解技能培训');
    await page.getByLabel('时长（分钟）').fill('abc');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.locator('.field.invalid').filter({ has: page.getByLabel('内容') })).toContainText('请填写此项');
    await expect(page.locator('.field.invalid').filter({ has: page.getByLabel('时长（分钟）') })).toContainText('请输入 1 到 600 之间的整数');
    await expect(page.getByLabel('诉求')).toHaveValue('希望了解技能培训');
    await expect(page.getByLabel('时长（分钟）')).toHaveValue('abc');
  });

  test('logs a visit day from today and sees the week covered', async ({ page }) => {
    await page.getByRole('navigation', { name: '快捷操作' }).getByRole('link', { name: '记下基层' }).click();
    await expect(page).toHaveURL(/\/visits#new$/);
    await hydrated(page);
    // The form's heading lands below the sticky header, not under it.
    const header = await page.locator('header.top').evaluate((h) => h.getBoundingClientRect().bottom);
    const heading = await page.locator('#new h2').first().evaluate((h) => h.getBoundingClientRect().top);
    expect(heading).toBeGreaterThanOrEqual(header);
    await page.getByLabel('组织').selectOption({ label: '河东社区团支部' });
    await page.getByLabel('时长（小时）').fill('6.5');
    await page.getByLabel('工作内容').fill('参加社区团支部主题团日，走访两户困难青年家庭');
    await page.getByLabel('工作成效').fill('收集诉求 3 条');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByRole('status')).toHaveText('已保存');
    const first = page.getByTestId('visits').locator('li').first();
    await expect(first).toContainText('河东社区团支部');
    await expect(first).toContainText('参加社区团支部主题团日');
    // This week now counts as covered, on the visits page and on today.
    const week = page.getByTestId('weeks').locator('li').filter({ hasText: '第' }).filter({ has: page.locator('.light.ok') });
    await expect(week.first()).toBeVisible();
    await page.goto('/');
    await expect(page.getByTestId('today-week')).toContainText('已记录');
  });

  test('makes a suggestion from today and sees it in the list', async ({ page }) => {
    await page.getByRole('navigation', { name: '快捷操作' }).getByRole('link', { name: '提建议' }).click();
    await expect(page).toHaveURL(/\/suggestions#new$/);
    await hydrated(page);
    await page.getByLabel('组织').selectOption({ label: '河东社区团支部' });
    await page.getByLabel('类型').selectOption({ label: '工作建议' });
    await page.getByLabel('标题').fill('建议建立社区青年议事会');
    await page.getByLabel('内容').fill('每季度召开一次青年议事会，收集青年对社区服务的意见。');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByRole('status')).toHaveText('已保存');
    const first = page.getByTestId('suggestions').locator('li').first();
    await expect(first).toContainText('建议建立社区青年议事会');
    await expect(first).toContainText('已提交');
    await expect(page.getByTestId('coverage').locator('li').filter({ hasText: '河东社区团支部' })).toContainText('已提交');
  });

  test('logs study hours and sees the month total grow', async ({ page }) => {
    await page.goto('/study');
    await hydrated(page);
    const before = await page.getByTestId('study-total').innerText();
    await page.getByLabel('时长（小时）').fill('1.5');
    await page.getByLabel('主题').fill('学习团章');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByRole('status')).toHaveText('已保存');
    await expect(page.getByTestId('study').locator('li').first()).toContainText('学习团章');
    await expect(page.getByTestId('study-total')).not.toHaveText(before);
  });

  test('the roster filters by status and searches by name', async ({ page }) => {
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '青年' }).click();
    await expect(page.getByRole('heading', { name: '我的青年' })).toBeVisible();
    await page.getByRole('link', { name: /^已逾期 \d+$/ }).click();
    const rows = page.getByTestId('roster').locator('li');
    await expect(rows.first().locator('.light.bad')).toBeVisible();
    const name = (await rows.first().locator('.name').innerText()).trim();
    await page.getByRole('searchbox').fill(name);
    await page.getByRole('button', { name: '搜索' }).click();
    await expect(page.getByTestId('roster').locator('li').first()).toContainText(name);
  });

  test("another cadre's youth is a page that does not exist", async ({ page }) => {
    const res = await page.goto('/youth/1000');
    expect(res?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
  });
});

test.describe('a cadre on a phone, without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('logs a contact with a plain form, keeping input when a field is invalid', async ({ page }) => {
    await signInAsCadre(page);
    await new TodayPage(page).firstDueYouth().getByRole('link', { name: '记联系' }).click();
    await page.getByLabel('方式').selectOption({ label: '电话' });
    await page.getByLabel('诉求').fill('咨询青年人才公寓申请');
    await page.getByRole('button', { name: '保存' }).click();
    // Back with the message by the field and everything typed still there.
    await expect(page.locator('#contact-content-error')).toHaveText('请填写此项');
    await expect(page.getByLabel('方式')).toHaveValue('phone');
    await expect(page.getByLabel('诉求')).toHaveValue('咨询青年人才公寓申请');
    await page.getByLabel('内容').fill('电话沟通人才公寓申请材料');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByRole('status')).toHaveText('已保存');
    const first = page.getByTestId('contacts').locator('li').first();
    await expect(first).toContainText('电话沟通人才公寓申请材料');
    await expect(first).toContainText('咨询青年人才公寓申请');
    await expect(first).toContainText('待处理');
  });
});
