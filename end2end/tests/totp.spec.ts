import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signIn, LoginPage, DEMO_PASSWORD } from './pages';

// The second factor on a phone: a cadre sets it up on /settings (QR code, key, a code from the
// "authenticator" below, ten recovery codes shown once), then signs in with a code; the
// security administrator resets it. cadre05 is no other test's.

const shots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

/** RFC 4648 Base32 to bytes. */
function base32(secret: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** What an authenticator app shows (RFC 6238: HMAC-SHA1, 6 digits, 30 s), `steps` from now. */
function totp(secret: string, steps = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + steps));
  const mac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

/** Waits until at least `margin` seconds of the current step are left. */
async function earlyInAStep(margin: number) {
  const into = (Date.now() / 1000) % 30;
  if (into > 30 - margin) await new Promise((r) => setTimeout(r, (30 - into) * 1000 + 200));
}

async function axe(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  expect(bad, `axe on ${page.url()}`).toEqual([]);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide).toBeLessThanOrEqual(0);
}

test('a cadre sets up a second factor and signs in with a code; the security administrator resets it', async ({ page, browser }) => {
  test.setTimeout(90_000);
  await signIn(page, 'cadre05');
  await page.goto('/settings#totp');
  const card = page.locator('#totp');
  await expect(card.getByRole('heading', { name: '双因素认证' })).toBeVisible();
  await card.getByRole('button', { name: '开启双因素认证' }).click();
  await expect(page).toHaveURL(/factor=begin/);
  await expect(page.getByTestId('totp-qr').locator('svg')).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').getAttribute('data-secret'))!;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await axe(page);
  fs.mkdirSync(shots, { recursive: true });
  await page.getByTestId('totp-qr').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, 'totp-enrol-phone.png') });

  // A wrong code says so by its field, and nothing is turned on.
  await card.getByLabel('6 位验证码').fill('000000');
  await card.getByRole('button', { name: '确认开启' }).click();
  await expect(card.getByRole('alert').filter({ hasText: '验证码不正确' })).toBeVisible();
  await earlyInAStep(8);
  await card.getByLabel('6 位验证码').fill(totp(secret));
  await card.getByRole('button', { name: '确认开启' }).click();
  await expect(page).toHaveURL(/factor=on/);
  await expect(page.getByTestId('totp-on')).toBeVisible();
  const codes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
  await page.getByTestId('recovery-codes').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, 'totp-recovery-phone.png') });
  // Shown once: the page again has them no more.
  await page.reload();
  await expect(page.getByTestId('recovery-codes')).toHaveCount(0);
  await expect(page.getByTestId('recovery-left')).toContainText('10');

  // Signing in now asks for the code after the password.
  const login = new LoginPage(page);
  await login.signOut();
  await login.signIn('cadre05', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/login\/totp$/);
  await expect(page.getByRole('heading', { name: '输入验证码' })).toBeVisible();
  await axe(page);
  await page.screenshot({ path: path.join(shots, 'login-totp-phone.png') });
  // The code that turned it on is spent; the next step's is good (a phone a little ahead).
  await page.getByLabel('6 位验证码').fill(totp(secret, 0));
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '验证码不正确' })).toBeVisible();
  await page.getByLabel('6 位验证码').fill(totp(secret, 1));
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('a.who')).toBeVisible();

  // A recovery code stands in for a lost phone, once.
  await login.signOut();
  await login.signIn('cadre05', DEMO_PASSWORD);
  await page.getByText('手机不在身边？使用恢复码').click();
  await page.getByLabel('恢复码').fill(codes[0]);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/$/);

  // The security administrator resets it: the password alone signs in again.
  const context = await browser.newContext();
  const sec = await context.newPage();
  await signIn(sec, 'secadmin');
  await sec.goto('/admin/users?q=cadre05');
  const row = sec.locator('li.account[data-username="cadre05"]');
  await expect(row.getByTestId('factor-on')).toBeVisible();
  sec.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: '重置双因素认证' }).click();
  await expect(row.getByTestId('factor-on')).toHaveCount(0);
  await context.close();
  // The cadre's session ended with the reset.
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await login.signIn('cadre05', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
});
