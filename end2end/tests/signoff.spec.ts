import { test, expect, type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { signIn } from './pages';

// 季度审核 on a phone: a street supervisor approves last quarter; a cadre's change to a contact
// of that quarter is refused as it is and filed as a 补录申请; the supervisor approves it and the
// sign-off lists it as changed since.

/** Runs one statement on the test server's SQLite file; answers the first column of its first
 * row (for a query). */
function sql(statement: string, ...params: (string | number)[]): string {
  const py = [
    'import sqlite3,sys,json',
    'c=sqlite3.connect(sys.argv[1])',
    'r=c.execute(sys.argv[2], json.loads(sys.argv[3])).fetchone()',
    'c.commit()',
    'print("" if r is None else r[0])',
  ].join('\n');
  return execFileSync('python3', ['-c', py, process.env.LIAISON_E2E_DB!, statement, JSON.stringify(params)]).toString().trim();
}

async function asOther(browser: Browser, login: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const page = await context.newPage();
  await signIn(page, login);
  return page;
}

/** The last day of the quarter before this one (Asia/Shanghai). */
function lastQuarterEnd(): string {
  const now = new Date(Date.now() + 8 * 3600_000);
  const firstMonth = Math.floor(now.getUTCMonth() / 3) * 3;
  return new Date(Date.UTC(now.getUTCFullYear(), firstMonth, 1) - 86400_000).toISOString().slice(0, 10);
}

test('a street approves last quarter, and a change to it becomes a 补录申请 the approver decides', async ({ page, browser }) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('dialog', (d) => d.accept());
  const content = '季度末走访河东中学，座谈升学压力（补录修改）';

  // 韦书记's street (河东街道团工委) signed last quarter off in the demo: reopen it, then approve.
  await signIn(page, 'supervisor2');
  await page.goto('/supervise/signoff');
  const summary = page.getByTestId('signoff-summary');
  await expect(summary).toContainText('河东街道团工委');
  const street = page.getByTestId('signoff-orgs').locator('li', { hasText: '河东街道团工委' }).first();
  if ((await street.getAttribute('data-state')) !== 'open') {
    await street.locator('summary', { hasText: '撤销审核' }).click();
    await street.getByLabel('撤销原因').fill('重新核对本季度台账');
    await street.getByRole('button', { name: '撤销审核' }).click();
    await expect(page.getByRole('status')).toContainText('已保存');
  }
  await expect(page.getByTestId('signoff-state')).toHaveText('未审核');
  // Bottom up: an organisation below with cadres (another test may have added one) is approved
  // first; the street's own line offers 审核通过 once nothing blocks it.
  const lines = page.getByTestId('signoff-orgs').locator('li');
  for (let i = 0; i < 10 && (await page.getByTestId('signoff-state').textContent()) === '未审核'; i++) {
    const ready = lines.filter({ has: page.getByRole('button', { name: '审核通过' }) }).last();
    await ready.getByLabel('审核意见').fill('台账已逐项核对');
    await ready.getByRole('button', { name: '审核通过' }).click();
    await expect(page.getByRole('status')).toContainText('已保存');
  }
  await expect(page.getByTestId('signoff-state')).toHaveText('已审核');
  await expect(page.getByTestId('signoff-stamp')).toContainText('已审核 · 韦书记 · ');
  await expect(page.getByTestId('signoff-changes')).toHaveText('审核后变更 0 项');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/signoff.png', fullPage: true });

  // A contact of 陈静 (cadre05, of that street) dated the quarter's last day, logged recently
  // enough to be changed.
  const id = sql(
    "SELECT id FROM contacts WHERE cadre_id = (SELECT id FROM accounts WHERE username = 'cadre05') ORDER BY id LIMIT 1",
  );
  const created = sql('SELECT created_at FROM contacts WHERE id = ?', Number(id));
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '+00:00');
  // The stored instant's own format, with now's value.
  sql('UPDATE contacts SET contact_date = ?, created_at = ? WHERE id = ?', lastQuarterEnd(), created.includes('T') ? new Date().toISOString() : now, Number(id));

  const cadre = await asOther(browser, 'cadre05');
  await expect(cadre.getByTestId('locked-banner')).toContainText('已审核');
  await cadre.goto(`/contacts/${id}/edit`);
  const form = cadre.locator('form#contact-edit');
  await form.getByLabel('内容').fill(content);
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.getByRole('alert').filter({ hasText: '本季度已审核，如需补录请提交补录申请' })).toBeVisible();
  const box = form.getByTestId('late-fields');
  if ((await box.getAttribute('open')) === null) await box.locator('summary').click();
  await box.getByLabel('作为补录申请提交').check();
  await box.getByLabel('补录原因').fill('内容记录有误，申请更正');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(cadre).toHaveURL(/\/late\?filed=1/);
  const mine = cadre.getByTestId('late-requests').locator('li', { hasText: '内容记录有误' });
  await expect(mine).toContainText('联系青年 · 修改');
  await expect(mine).toContainText('待审核');
  await cadre.screenshot({ path: 'test-results/signoff-late-filed.png', fullPage: true });
  expect(sql('SELECT content FROM contacts WHERE id = ?', Number(id))).not.toBe(content);

  await page.goto('/supervise/late');
  const item = page.getByTestId('pending-late').locator('li', { hasText: '内容记录有误' });
  await item.getByLabel('审批').selectOption({ label: '批准' });
  await item.getByRole('button', { name: '提交' }).click();
  await expect(page.getByRole('status')).toContainText('已保存');
  expect(sql('SELECT content FROM contacts WHERE id = ?', Number(id))).toBe(content);
  await page.goto('/supervise/signoff');
  await expect(page.getByTestId('signoff-changes')).toHaveText('审核后变更 1 项');
  await expect(page.getByTestId('signoff-summary')).toContainText('内容记录有误');
  await cadre.context().close();
  expect(errors).toEqual([]);
});
