import { test, expect, type ConsoleMessage, type Page } from '@playwright/test';
import { signIn } from './pages';

/** Resolves once the islands have hydrated (the wasm is there). */
async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as unknown as { __hydrateIsland?: unknown }).__hydrateIsland !== undefined);
  await page.waitForLoadState('networkidle');
}

/** Breaks out of `<textarea>` and `<title>` and runs a script, if written raw. */
const PAYLOAD = '</textarea></title><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
const SHORT = '</title><script>p()</script>';

test.describe('security, with JavaScript', () => {
  const errors: string[] = [];
  const dialogs: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors.length = 0;
    dialogs.length = 0;
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  test.afterEach(() => {
    // A Content-Security-Policy refusal is a console error: none may happen.
    expect(errors, 'no errors or warnings in the console').toEqual([]);
    expect(dialogs, 'no script opened a dialog').toEqual([]);
  });

  test('the islands hydrate under a Content-Security-Policy with a nonce', async ({ page }) => {
    const res = await page.goto('/login');
    const csp = res!.headers()['content-security-policy'];
    expect(csp).toMatch(/script-src 'self' 'nonce-[0-9a-f]+' 'wasm-unsafe-eval'/);
    expect(csp).not.toContain('unsafe-inline');
    // The password toggle only works once the wasm has hydrated it.
    const password = page.getByLabel('密码', { exact: true });
    await page.getByRole('button', { name: '显示' }).click();
    await expect(password).toHaveAttribute('type', 'text');
  });

  test('text saved by one user never runs as script, and reads back exactly', async ({ page }) => {
    await signIn(page, 'cadre01');
    const res = await page.request.post('/api/youth/create', {
      headers: { Accept: 'application/json' },
      form: {
        request_id: crypto.randomUUID(),
        name: SHORT,
        gender: 'female',
        birth_year: '2000',
        phone: '13800138000',
        wechat: '',
        org_id: '',
        workplace: PAYLOAD,
        sector: 'migrant',
        political_status: 'league_member',
        tags: '',
        notes: PAYLOAD,
        notice_version: '1',
      },
    });
    expect(res.status()).toBe(200);
    const id = await res.json();
    for (const path of [`/youth/${id}`, `/youth/${id}/edit`, '/youth']) {
      await page.goto(path);
      await hydrated(page);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    }
    // The edit form shows the notes exactly as typed (escaped once, not twice), and the title
    // shows the name as text.
    await page.goto(`/youth/${id}/edit`);
    await expect(page.getByLabel('备注')).toHaveValue(PAYLOAD);
    await expect(page.getByLabel('姓名', { exact: true })).toHaveValue(SHORT);
    await page.goto(`/youth/${id}`);
    expect(await page.title()).toBe(`${SHORT} · 联系青年`);
  });

  test('a crafted error link puts nothing into the form', async ({ page }) => {
    await signIn(page, 'cadre01');
    const err = JSON.stringify({ Invalid: { fields: [], input: [['notes', PAYLOAD], ['name', 'crafted-name']] } });
    const b64 = Buffer.from(err).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    await page.goto(`/youth/new?__path=${encodeURIComponent('/api/youth/create')}&__err=${encodeURIComponent(b64)}`);
    await hydrated(page);
    await expect(page.getByLabel('姓名', { exact: true })).toHaveValue('');
    await expect(page.getByLabel('备注')).toHaveValue('');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

});

test.describe('static files', () => {
  test('the bundle has hashed names, a year of immutable caching, and brotli made at build time', async ({ page, request }) => {
    await page.goto('/login');
    const hrefs = await page.evaluate(() => [
      ...[...document.querySelectorAll('link[rel=stylesheet], link[rel=modulepreload], link[rel=preload]')].map((l) => (l as HTMLLinkElement).getAttribute('href')),
    ]);
    expect(hrefs.length).toBe(3);
    for (const href of hrefs) {
      expect(href).toMatch(/^\/pkg\/liaison\.[A-Za-z0-9_-]+\.(css|js|wasm)$/);
      const res = await request.get(href!, { headers: { 'Accept-Encoding': 'br, gzip' } });
      expect(res.status()).toBe(200);
      expect(res.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers()['content-encoding']).toBe('br');
    }
  });
});

// Without a service worker (WeChat on iOS) the HTTP cache alone keeps the bundle and the outbox
// script (named by their content, cached for a year); with one, the worker serves them.
test.describe('a second page, without a service worker', () => {
  test.use({ serviceWorkers: 'block' });
  test('a second page transfers only its own HTML', async ({ page }) => {
    await signIn(page, 'cadre01');
    await hydrated(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const fromNetwork = new Map<string, string>();
    const fromCache = new Set<string>();
    cdp.on('Network.requestServedFromCache', (e) => fromCache.add(e.requestId));
    cdp.on('Network.responseReceived', (e) => {
      const r = e.response;
      if (!r.fromDiskCache && !r.fromPrefetchCache && !r.fromServiceWorker) fromNetwork.set(e.requestId, r.url);
    });
    await page.goto('/youth');
    await hydrated(page);
    const fetched = [...fromNetwork.entries()].filter(([id]) => !fromCache.has(id)).map(([, url]) => new URL(url).pathname);
    expect(fetched).toEqual(['/youth']);
  });
});
