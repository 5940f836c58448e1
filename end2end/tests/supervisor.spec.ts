import { test, expect, type Browser, type ConsoleMessage, type Page } from '@playwright/test';
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

test.describe('a supervisor on a phone', () => {
  const errors: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors.length = 0;
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, 'supervisor');
  });
  test.afterEach(() => {
    const unexpected = errors.filter((e) => !/status of (404|422)/.test(e));
    expect(unexpected, 'no errors or warnings in the console').toEqual([]);
  });

  test('opens the dashboard, filters red and drills into a cadre', async ({ page }) => {
    await expect(page).toHaveURL(/\/supervise$/);
    await expect(page.getByRole('heading', { name: '履职看板' })).toBeVisible();
    const tiles = page.getByTestId('tiles');
    await expect(tiles).toContainText('团干部');
    // One line per duty, labelled axes, the current week marked, the figures a tap away.
    const trend = page.getByTestId('trend');
    await expect(trend.locator('polyline')).toHaveCount(3);
    await expect(trend.getByTestId('trend-now')).toHaveText('本周');
    await expect(trend.locator('svg')).toContainText('周（周一日期）');
    await trend.getByText('按周查看数值').click();
    await expect(trend.getByTestId('trend-table').locator('tbody tr')).toHaveCount(13);
    // No page-level sideways scroll at 390 px (the wide table scrolls inside its box).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    await tiles.getByRole('link', { name: /未完成/ }).click();
    await expect(page).toHaveURL(/light=red/);
    const rows = page.getByTestId('cadre-table').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    for (const light of await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-light')))) {
      expect(light).toBe('red');
    }
    // At 390 px each cadre is a card: the light, its first reason and 提醒 are on screen, the
    // figures that decide it are there, and every link is a finger's height.
    const card = rows.first();
    for (const part of [card.locator('td.verdict > .light'), card.locator('td.verdict > .reason'), card.getByRole('button', { name: '提醒' })]) {
      await expect(part).toBeVisible();
      const box = (await part.boundingBox())!;
      expect(box.x + box.width, 'within the phone\'s width').toBeLessThanOrEqual(390);
    }
    expect(await card.locator('td.figure.decides').count()).toBeGreaterThan(0);
    for (const link of await card.locator('a:visible').all()) {
      expect((await link.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    }
    await page.screenshot({ path: 'test-results/dashboard-cards.png', fullPage: true });
    const first = rows.first().locator('th a');
    const name = (await first.textContent())!.trim();
    // Searching by name keeps the light filter and finds just that cadre.
    const search = page.getByRole('searchbox', { name: '姓名、用户名或组织' });
    await search.fill(name);
    await search.press('Enter');
    await expect(page).toHaveURL(/light=red.*q=|q=.*light=red/);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-light', 'red');
    await expect(search).toHaveValue(name);
    await first.click();
    await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
    await expect(page.getByTestId('figures')).toContainText('未完成');
    await expect(page.getByTestId('supervised-roster').locator('li').first()).toContainText('****');
  });

  test('reviews a suggestion and the cadre sees the comment', async ({ page, browser }) => {
    await page.goto('/supervise/suggestions');
    const card = page.locator('section.review[data-cadre="李明"]').first();
    await expect(card).toBeVisible();
    const title = (await card.locator('h2').textContent())!.trim();
    const id = await card.getAttribute('data-suggestion');
    await card.getByLabel('处理').selectOption({ label: '退回修改' });
    await card.getByLabel('意见').fill('请补充具体措施和完成时限');
    await card.getByRole('button', { name: '提交' }).click();
    await expect(page.getByRole('status')).toContainText('已保存');
    await expect(page.locator(`section.review[data-suggestion="${id}"]`)).toHaveCount(0);

    const cadre = await asOther(browser, 'cadre01');
    await cadre.goto('/suggestions');
    const mine = cadre.getByTestId('suggestions').locator('li', { hasText: title });
    await expect(mine).toContainText('退回修改');
    await expect(mine).toContainText('请补充具体措施和完成时限');
    await mine.getByRole('link').click();
    await cadre.getByLabel('内容').fill('增加具体措施：每月评议一次，季度末公示。');
    await cadre.getByRole('button', { name: '重新提交' }).click();
    await expect(cadre.getByText('已提交').first()).toBeVisible();
    await cadre.context().close();
  });

  test('approves a leave request and the week turns exempt', async ({ page, browser }) => {
    // The cadre with the most missed weeks this quarter, and one of those weeks.
    await page.goto('/supervise?sort=weeks&dir=desc');
    const row = page.getByTestId('cadre-table').locator('tbody tr').first();
    const username = (await row.getAttribute('data-cadre'))!;
    await row.locator('th a').click();
    const missed = page.getByTestId('weeks').locator('li[data-status="bad"]').first();
    await expect(missed).toBeVisible();
    const monday = (await missed.getAttribute('data-monday'))!;
    const day = (iso: string, plus: number) => new Date(Date.parse(iso) + plus * 86400_000).toISOString().slice(0, 10);
    const now = new Date(Date.now() + 8 * 3600_000); // Shanghai
    const quarterStart = `${now.getUTCFullYear()}-${String(Math.floor(now.getUTCMonth() / 3) * 3 + 1).padStart(2, '0')}-01`;
    const start = monday < quarterStart ? quarterStart : monday;
    const drill = page.url();

    const cadre = await asOther(browser, username);
    await cadre.goto('/exemptions');
    await cadre.getByLabel('开始日期').fill(start);
    await cadre.getByLabel('结束日期').fill(day(monday, 6));
    await cadre.getByLabel('事由').selectOption({ label: '请假' });
    await cadre.getByLabel('说明').fill('病假（补报）');
    await cadre.getByRole('button', { name: '提交申请' }).click();
    await expect(cadre.getByTestId('exemptions')).toContainText('待审批');
    await cadre.context().close();

    await page.goto('/supervise/exemptions');
    const request = page.locator('li.exemption', { hasText: '病假（补报）' });
    await request.getByLabel('审批').selectOption({ label: '批准' });
    await request.getByRole('button', { name: '提交' }).click();
    await expect(page.getByRole('status')).toContainText('已保存');
    await expect(page.locator('li.exemption', { hasText: '病假（补报）' })).toHaveCount(0);

    await page.goto(drill);
    const week = page.getByTestId('weeks').locator(`li[data-monday="${monday}"]`);
    await expect(week).toContainText('请假/出差');
    await expect(week).toHaveAttribute('data-status', 'muted');
  });

  test('hands a roster over and the history stays with the youth', async ({ page, browser }) => {
    await page.goto('/supervise');
    const left = page.getByTestId('left-with-roster');
    await expect(left).toContainText('孙浩');
    await left.getByRole('link', { name: '移交' }).click();
    // One tab is current: 名单, not also 看板.
    await expect(page.locator('nav.bottom a[aria-current="page"]')).toHaveText(['名单']);
    const youth = (await page.getByTestId('managed-youths').locator('.name').first().textContent())!.trim();
    const handover = page.getByTestId('handover');
    const successor = handover.getByLabel('接收人');
    // The successors with their roster sizes; no deactivating an account already deactivated.
    await expect(successor.locator('option', { hasText: '黄丽' })).toHaveText(/^黄丽 · .+ \(100\)$/);
    await expect(handover.getByText('同时停用离岗账号')).toHaveCount(0);
    // A first look with 黄丽: still chosen under the preview, which warns of 164 youths.
    const huang = await successor.locator('option', { hasText: '黄丽' }).getAttribute('value');
    await successor.selectOption(huang!);
    await handover.getByRole('button', { name: '预览' }).click();
    await expect(page.getByTestId('handover').getByLabel('接收人')).toHaveValue(huang!);
    await expect(page.getByTestId('over-target')).toContainText('黄丽 的名单将有 164 名青年，超过每人联系 100 名');
    await page.screenshot({ path: 'test-results/handover-preview.png', fullPage: true });
    const successorId = await successor.locator('option', { hasText: '徐婷' }).getAttribute('value');
    await successor.selectOption(successorId!);
    await handover.getByRole('button', { name: '预览' }).click();
    await expect(page.getByTestId('handover').getByLabel('接收人')).toHaveValue(successorId!);
    const preview = page.getByTestId('handover-preview');
    await expect(preview).toContainText(/\d+ 名青年、\d+ 件未办结诉求、\d+ 个联系点 → 徐婷/);
    await preview.getByRole('button', { name: '确认移交' }).click();
    await expect(page.getByRole('status')).toContainText('已保存');

    const xu = await asOther(browser, 'cadre11');
    await xu.goto(`/youth?q=${encodeURIComponent(youth)}`);
    await xu.getByTestId('roster').getByRole('link', { name: new RegExp(youth) }).first().click();
    await expect(xu.getByTestId('contacts')).toContainText('孙浩');
    await xu.context().close();
  });
  test('a visit day past its window becomes a 补录申请 that counts once approved', async ({ page, browser }) => {
    // The Sunday of the week three weeks back: past the 7 days, and no demo visit day on it.
    const now = Date.now() + 8 * 3600_000; // Shanghai
    const back = new Date(now - 21 * 86400_000);
    const date = new Date(back.getTime() + ((7 - back.getUTCDay()) % 7) * 86400_000).toISOString().slice(0, 10);
    const reason = '周末议事会没有信号，事后补记';

    const cadre = await asOther(browser, 'cadre01');
    await cadre.goto('/visits');
    const form = cadre.locator('form#visit');
    await form.getByLabel('日期', { exact: true }).fill(date);
    await form.getByLabel('工作内容').fill('参加社区青年议事会');
    await form.getByRole('button', { name: '保存' }).click();
    // Refused as it is, pointing at the late entry.
    await expect(form.getByRole('alert').filter({ hasText: '补录申请' })).toBeVisible();
    const box = cadre.getByTestId('late-fields');
    if ((await box.getAttribute('open')) === null) await box.locator('summary').click();
    await box.getByLabel('作为补录申请提交').check();
    await box.getByLabel('补录原因').fill(reason);
    await form.getByRole('button', { name: '保存' }).click();
    await expect(cadre).toHaveURL(/\/late\?filed=1/);
    await expect(cadre.getByTestId('late-filed')).toContainText('补录申请已提交');
    const mine = cadre.getByTestId('late-requests').locator('li', { hasText: reason });
    await expect(mine).toContainText('待审核');
    await expect(mine).toContainText(date);
    await cadre.screenshot({ path: 'test-results/late-filed.png', fullPage: true });

    await page.goto('/supervise/late');
    const item = page.getByTestId('pending-late').locator('li', { hasText: reason });
    await expect(item).toContainText('下基层');
    await page.screenshot({ path: 'test-results/late-queue.png', fullPage: true });
    await item.getByLabel('审批').selectOption({ label: '批准' });
    await item.getByRole('button', { name: '提交' }).click();
    await expect(page.getByRole('status')).toContainText('已保存');
    await expect(page.getByTestId('pending-late').locator('li', { hasText: reason })).toHaveCount(0);

    await cadre.goto('/late');
    await expect(cadre.getByTestId('late-requests').locator('li', { hasText: reason })).toContainText('已批准补录');
    await cadre.context().close();
  });
});
