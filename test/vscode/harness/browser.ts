// Debian's Chromium driven by playwright-core, opening code-server's workbench (which starts the
// extension host). Only loopback is reachable from the page.
import * as fs from 'fs';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p)) ?? '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Any name but loopback fails to resolve: the workbench must not reach the internet.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export interface Workbench {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function openWorkbench(url: string, opts: { timeoutMs?: number } = {}): Promise<Workbench> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`bash scripts/setup.sh --e2e\` (installs Debian's chromium)`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true, timeout: 60000 });
  const close = async () => {
    await browser.close().catch(() => undefined);
  };
  try {
    // Clipboard access as a user would grant it: vscode.env.clipboard goes through the page's clipboard,
    // and without permission VS Code's web clipboard waits on a notification instead of answering.
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, permissions: ['clipboard-read', 'clipboard-write'] });
    page.setDefaultTimeout(20000);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: opts.timeoutMs ?? 60000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: opts.timeoutMs ?? 60000 });
    return { browser, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}
