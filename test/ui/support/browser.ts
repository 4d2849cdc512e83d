/** Headless Debian chromium driven by playwright-core (never a downloaded browser). */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const ARTIFACTS = join(REPO, 'test-artifacts', 'ui');
export const UI_DIST = join(REPO, 'dist', 'ui');

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (scripts/setup.sh installs it)`);
  for (const app of ['nomad', 'catalog', 'ingress']) {
    if (!existsSync(join(UI_DIST, app, 'index.html'))) throw new Error(`dist/ui/${app} is not built: run "node src/ui/build.mjs" (scripts/setup.sh does)`);
  }
  const userDataDir = mkdtempSync(join(os.tmpdir(), 'kiln-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
