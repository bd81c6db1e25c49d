// What only the UI shows, checked in the browser after the in-editor suite: the Problems panel, the
// Findings view and a click on it, the scan's progress, and the screenshots the README uses.
// Every wait is a selector with a timeout; the keyboard drives the workbench as a user would.
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { logsUiChecks } from './logsUiChecks';
import { probeUiChecks } from './probeUiChecks';

export interface UiCheck {
  title: string;
  run(page: Page): Promise<void>;
}

export interface UiContext {
  /** Where README screenshots go (docs/images). */
  imagesDir: string;
}

const PALETTE_INPUT = '.quick-input-widget .quick-input-box input';

/** F1, type, pick the row that shows `pick` (or the first), Enter. `text` starting with '>' runs a command. */
async function quickInput(page: Page, text: string, pick: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator(PALETTE_INPUT);
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: pick }).first().waitFor({ state: 'visible' });
  // The list may still be filtering: pick the matching row itself rather than whatever is first.
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: pick }).first().click();
  await input.waitFor({ state: 'hidden' });
}

export function runCommand(page: Page, title: string): Promise<void> {
  return quickInput(page, `>${title}`, title);
}

export function openFile(page: Page, name: string): Promise<void> {
  return quickInput(page, name, name).then(() => page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' }));
}

/** Starts recording, in the page, every progress text that matches `re` (notification or status bar). */
async function recordProgress(page: Page, re: RegExp): Promise<void> {
  await page.evaluate((source) => {
    // Runs in the page (no DOM types in this Node project, hence `any`).
    const w = globalThis as any;
    w.__gdProgress = [];
    w.__gdObserver?.disconnect();
    const pattern = new RegExp(source, 'i');
    const look = () => {
      for (const el of w.document.querySelectorAll('.notifications-toasts .notification-list-item, .statusbar-item')) {
        const t = String(el.innerText || el.textContent || '').trim();
        if (pattern.test(t) && !w.__gdProgress.includes(t)) w.__gdProgress.push(t);
      }
    };
    w.__gdObserver = new w.MutationObserver(look);
    w.__gdObserver.observe(w.document.body, { childList: true, subtree: true, characterData: true });
    look();
  }, re.source);
}

async function recordedProgress(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = globalThis as any;
    w.__gdObserver?.disconnect();
    return w.__gdProgress as string[];
  });
}

const findingsRows = (page: Page) => page.locator('.part.sidebar .pane:has(.pane-header:has-text("Findings")) .monaco-list-row');

async function screenshot(page: Page, ctx: UiContext, name: string): Promise<void> {
  fs.mkdirSync(ctx.imagesDir, { recursive: true });
  // Let the last layout settle into pixels (two animation frames), not a fixed sleep.
  await page.evaluate(() => new Promise<void>((r) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(() => r()))));
  await page.screenshot({ path: path.join(ctx.imagesDir, name) });
}

/** Drags the sash between the side bar and the editor so the side bar is `width` px wide. */
async function widenSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + (width - box.width), y, { steps: 5 });
  await page.mouse.up();
}

export function uiChecks(ctx: UiContext): UiCheck[] {
  return [
    {
      title: 'the Problems panel shows the finding with its rule id',
      async run(page) {
        await openFile(page, 'app.conf');
        await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'visible' });
        await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
        // Only app.conf's problems, so its rows are on screen whatever else the workspace has (a virtual
        // list draws only the rows on screen); the filter is cleared afterwards.
        const filter = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
        await filter.fill('app.conf');
        const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'billing.example.test over TLS without sending SNI' }).first();
        await row.waitFor({ state: 'visible' });
        const text = await row.innerText();
        if (!text.includes('nginx/https-upstream-without-sni')) throw new Error(`the row does not show the rule id: ${text}`);
        if (!text.includes('Gateway Doctor')) throw new Error(`the row does not show the source: ${text}`);
        await filter.fill('');
        // The picture for the README: the hover on the squiggle, with the message and the rule link.
        await page.locator('.monaco-editor .view-line', { hasText: 'billing.example.test' }).locator('span', { hasText: 'https://billing.example.test' }).first().hover();
        await page.locator('.monaco-hover', { hasText: 'without sending SNI' }).first().waitFor({ state: 'visible' });
        await screenshot(page, ctx, 'editor-diagnostics.png');
        await page.keyboard.press('Escape');
      },
    },
    {
      title: 'Inspect Workspace Configs shows progress and fills the Findings view',
      async run(page) {
        await recordProgress(page, /inspecting configs/);
        await runCommand(page, 'Gateway Doctor: Inspect Workspace Configs');
        await findingsRows(page).filter({ hasText: 'partners.conf:10' }).first().waitFor({ state: 'attached' });
        const seen = await recordedProgress(page);
        if (!seen.length) throw new Error('no progress ("Gateway Doctor: inspecting configs") appeared while the workspace was scanned');
        const rows = await findingsRows(page).allInnerTexts();
        for (const want of ['TLS to the upstream', 'nginx/https-upstream-without-sni · app.conf:16', 'nginx/buffer-size-below-default · app.conf:11', 'haproxy/unknown-backend · haproxy.cfg:15']) {
          if (!rows.some((r) => r.includes(want))) throw new Error(`the Findings view has no row with "${want}"; rows:\n${rows.join('\n')}`);
        }
      },
    },
    {
      title: 'a click on a finding opens its file at the line',
      async run(page) {
        await widenSidebar(page, 560);
        const row = findingsRows(page).filter({ hasText: 'nginx/https-upstream-without-sni · partners.conf:10' }).first();
        await row.click();
        await page.locator('.tabs-container .tab.active', { hasText: 'partners.conf' }).waitFor({ state: 'visible' });
        await page.locator('.statusbar-item', { hasText: /Ln 10, Col \d+ \(\d+ selected\)/ }).first().waitFor({ state: 'visible' });
        await screenshot(page, ctx, 'findings-view.png');
      },
    },
    {
      title: 'a cross-layer finding names the app server\'s setting as related information',
      async run(page) {
        await quickInput(page, 'stack/nginx.conf', 'stack');
        await page.locator('.tabs-container .tab.active', { hasText: 'nginx.conf' }).waitFor({ state: 'visible' });
        await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'visible' });
        await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
        // Only this file's problems, so its rows are on screen whatever else the workspace has.
        const filter = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
        await filter.fill('stack');
        const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'closes an idle connection after 2 s' }).first();
        await row.waitFor({ state: 'visible' });
        const text = await row.innerText();
        if (!text.includes('topology/upstream-keepalive-outlives-app')) throw new Error(`the row does not show the rule id: ${text}`);
        const related = page.locator('.markers-panel .monaco-list-row', { hasText: 'gunicorn.conf.py' }).filter({ hasText: 'keepalive = 2' }).first();
        await related.waitFor({ state: 'visible' });
        // The one squiggle of this file is under `keepalive 8;`: move onto it for the hover.
        const box = await page.locator('.monaco-editor .squiggly-warning').first().boundingBox();
        if (!box) throw new Error('no squiggle to hover');
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.locator('.monaco-hover', { hasText: 'closes an idle connection' }).first().waitFor({ state: 'visible' });
        await screenshot(page, ctx, 'cross-layer.png');
        await page.keyboard.press('Escape');
        await filter.fill('');
      },
    },
    ...logsUiChecks(ctx),
    ...probeUiChecks(ctx),
  ];
}
