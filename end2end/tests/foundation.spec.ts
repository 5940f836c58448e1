import { test, expect, type ConsoleMessage } from '@playwright/test';
import { DEMO_PASSWORD, LoginPage, OrgsPage, UsersPage } from './pages';

test.describe('with JavaScript', () => {
  const errors: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors.length = 0;
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  test.afterEach(() => {
    expect(errors, 'no errors or warnings in the console (hydration)').toEqual([]);
  });

  test('the sign-in page is Chinese, shows the demo accounts, and its island hydrates', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByTestId('demo-hint')).toContainText('demo-liaison');
    // The password toggle is a Leptos island: it only works once the wasm has hydrated it.
    const password = page.getByLabel('密码', { exact: true });
    await expect(password).toHaveAttribute('type', 'password');
    await page.getByRole('button', { name: '显示' }).click();
    await expect(password).toHaveAttribute('type', 'text');
    await page.getByRole('button', { name: '隐藏' }).click();
    await expect(password).toHaveAttribute('type', 'password');
  });

  test('a wrong password shows a message and keeps the login', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.signIn('sysadmin', 'not-the-password');
    await expect(page.getByRole('alert')).toHaveText('账号或密码错误');
    await expect(page.getByLabel('手机号或用户名')).toHaveValue('sysadmin');
    await expect(page.getByLabel('密码', { exact: true })).toHaveValue('');
  });

  test('admin signs in, creates an organisation and a cadre, and that cadre signs in', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.signIn('sysadmin', DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/admin\/orgs$/);
    const orgs = new OrgsPage(page);
    await expect(orgs.tree()).toContainText('青山区团委');
    await expect(orgs.tree()).toContainText('河东中学团委');

    await orgs.create('河东第二中学团委', '学校团委', '　河东街道团工委');
    await expect(orgs.orgName('河东第二中学团委')).toBeVisible();

    const users = new UsersPage(page);
    await users.open();
    await users.create({
      name: '林晓',
      username: 'linxiao',
      phone: '13900001111',
      org: '　　河东第二中学团委',
      post: '专职',
      password: 'spring-lake-48',
    });
    const card = page.locator('li.account[data-username="linxiao"]');
    await expect(card).toContainText('林晓');
    await expect(card).toContainText('河东第二中学团委');

    // Pair the new cadre with a grassroots organisation (the form is folded under 管理联系点).
    await expect(card.getByLabel('基层团组织')).toBeHidden();
    await card.getByText('管理联系点').click();
    await card.getByLabel('基层团组织').selectOption({ label: '河东第二中学团委' });
    await card.getByRole('button', { name: '添加联系点' }).click();
    await expect(page.locator('li.account[data-username="linxiao"] .pairings li')).toContainText('河东第二中学团委');

    await login.signOut();
    await login.signIn('13900001111', 'spring-lake-48');
    await expect(page).toHaveURL(/\/$/);
    // A new cadre's today: an empty roster, the new pairing awaiting its quarterly suggestion.
    await expect(page.getByTestId('today-contacts')).toContainText('名单 0/100 人');
    await expect(page.getByTestId('today-suggestions')).toContainText('河东第二中学团委');
    await expect(page.locator('header')).toContainText('林晓');
    await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  });

  test('the page fits a 390 px wide phone without sideways scrolling', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.signIn('sysadmin', DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/admin\/orgs$/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign-in and organisation forms work and keep input on errors', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await login.signIn('sysadmin', 'wrong-password');
    await expect(page.getByRole('alert')).toHaveText('账号或密码错误');
    await expect(page.getByLabel('手机号或用户名')).toHaveValue('sysadmin');

    await login.signIn('sysadmin', DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/admin\/orgs$/);
    const orgs = new OrgsPage(page);
    await expect(orgs.tree()).toContainText('青山区团委');

    // Missing kind: the message shows by the field, the name is kept.
    const form = page.locator('form#new-org');
    await form.getByLabel('组织名称').fill('无脚本测试团支部');
    await form.getByRole('button', { name: '创建' }).click();
    await expect(form.locator('#new-org-kind-error')).toHaveText('请填写此项');
    await expect(form.getByLabel('组织名称')).toHaveValue('无脚本测试团支部');
    await form.getByLabel('类型').selectOption({ label: '社区团支部' });
    await form.getByRole('button', { name: '创建' }).click();
    await expect(orgs.orgName('无脚本测试团支部')).toBeVisible();
  });
});
