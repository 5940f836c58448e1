import base from './playwright.config';
import { defineConfig } from '@playwright/test';

// Benchmarks (not tests): `npx playwright test -c playwright.bench.config.ts`. Figures go to
// stdout and to docs/BENCHMARKS.md by hand.
export default defineConfig({ ...base, testDir: './bench', timeout: 600_000 });
