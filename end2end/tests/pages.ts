import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'demo-liaison';

/** Signs in on `/login` and waits to have left it. */
export async function signIn(page: Page, login = 'cadre01') {
  const l = new LoginPage(page);
  await l.open();
  await l.signIn(login, DEMO_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
}

/** The sign-in page. */
export class LoginPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto('/login');
    await expect(this.page.getByRole('heading', { name: '登录' })).toBeVisible();
  }

  async signIn(login: string, password: string) {
    await this.page.getByLabel('手机号或用户名').fill(login);
    await this.page.getByLabel('密码', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: '登录' }).click();
  }

  async signOut() {
    await this.page.getByRole('button', { name: '退出登录' }).click();
    await expect(this.page).toHaveURL(/\/login$/);
  }
}

/** `/admin/orgs`. */
export class OrgsPage {
  constructor(private readonly page: Page) {}

  tree() {
    return this.page.getByTestId('org-tree');
  }

  /** The name of an organisation as listed in the tree. */
  orgName(name: string) {
    return this.tree().locator('.org-name', { hasText: name });
  }

  async create(name: string, kind: string, parent: string) {
    const form = this.page.locator('form#new-org');
    await form.getByLabel('组织名称').fill(name);
    await form.getByLabel('类型').selectOption({ label: kind });
    await form.getByLabel('上级组织').selectOption({ label: parent });
    await form.getByRole('button', { name: '创建' }).click();
  }
}

/** `/admin/users`. */
export class UsersPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto('/admin/users');
    await expect(this.page.getByRole('heading', { name: '账号管理' })).toBeVisible();
  }

  async create(a: { name: string; username: string; phone: string; org: string; post: string; password: string }) {
    const form = this.page.locator('form#new-user');
    await form.getByLabel('姓名').fill(a.name);
    await form.getByLabel('用户名').fill(a.username);
    await form.getByLabel('手机号').fill(a.phone);
    await form.getByLabel('角色').selectOption({ label: '团干部' });
    await form.getByLabel('所属组织').selectOption({ label: a.org });
    await form.getByLabel('岗位').selectOption({ label: a.post });
    await form.getByLabel('初始密码').fill(a.password);
    await form.getByRole('button', { name: '创建账号' }).click();
  }
}

/** A cadre's start page, `/`. */
export class TodayPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto('/');
    await expect(this.page.getByRole('heading', { name: '今天' })).toBeVisible();
  }

  /** The first youth listed as due or overdue, and its 记联系 button. */
  firstDueYouth() {
    return this.page.locator('li.due-youth').first();
  }
}
