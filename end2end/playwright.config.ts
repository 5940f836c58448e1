import { defineConfig } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';

// The app under test: the release build, on its own port, with a brand-new SQLite database of
// demo data. `LIAISON_BIN` and `LIAISON_SITE_ROOT` point at the build (set by ./dev.sh).
const port = Number(process.env.E2E_PORT ?? 3100);
const root = path.resolve(__dirname, '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
const bin = process.env.LIAISON_BIN ?? path.join(targetDir, 'release', 'server');
const siteRoot = process.env.LIAISON_SITE_ROOT ?? path.join(root, 'target', 'site');
// The database file, named once (the workers load this file again): tests read it to count rows.
process.env.LIAISON_E2E_DB ??= path.join(os.tmpdir(), `liaison-e2e-${process.pid}-${Date.now()}.db`);
const db = process.env.LIAISON_E2E_DB;
const exports = path.join(os.tmpdir(), `liaison-e2e-exports-${process.pid}-${Date.now()}`);

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    command: `${bin} serve --demo --listen 127.0.0.1:${port} --database sqlite://${db} --site-root ${siteRoot} --export-dir ${exports}`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
