// What only the screen shows of the log UI, checked in the browser: Analyze Log File… from the palette
// on the open error.log (the quick pick offers it), the squiggles on its failure lines, the Findings
// view's log root with its causes, and the report webview with its chart; saves log-report.png.
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { UiCheck, UiContext, openFile, runCommand } from './uiChecks';

const findingsRows = (page: Page) => page.locator('.part.sidebar .pane:has(.pane-header:has-text("Findings")) .monaco-list-row');

async function screenshot(page: Page, ctx: UiContext, name: string): Promise<void> {
  fs.mkdirSync(ctx.imagesDir, { recursive: true });
  await page.evaluate(() => new Promise<void>((r) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(() => r()))));
  await page.screenshot({ path: path.join(ctx.imagesDir, name) });
}

export function logsUiChecks(ctx: UiContext): UiCheck[] {
  return [
    {
      title: 'Analyze Log File… on the open error.log: squiggles, the Findings view and the report with its chart',
      async run(page) {
        await openFile(page, 'error.log');
        await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'visible' });
        // The palette by hand: the command opens a quick pick of its own, so the palette stays up.
        await page.keyboard.press('Escape');
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ state: 'visible' });
        await input.fill('>Gateway Doctor: Analyze Log File');
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Analyze Log File' }).first().click();
        const offer = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'the log in the active editor' }).first();
        await offer.waitFor({ state: 'visible' });
        if (!(await offer.innerText()).includes('error.log')) throw new Error(`the quick pick does not name error.log: ${await offer.innerText()}`);
        await offer.click();

        const root = findingsRows(page).filter({ hasText: 'error.log' }).filter({ hasText: /\d+ events/ }).first();
        await root.waitFor({ state: 'visible' });
        const refused = findingsRows(page).filter({ hasText: 'Upstream down or refusing' }).first();
        await refused.waitFor({ state: 'visible' });
        if (!/\d/.test(await refused.innerText())) throw new Error(`the cause row has no count: ${await refused.innerText()}`);
        for (const want of ['Timeout mismatch between layers', 'Buffers and size limits', 'By upstream', 'Over time']) {
          await findingsRows(page).filter({ hasText: want }).first().waitFor({ state: 'visible' });
        }

        // A log cause leads to the config findings of the same cause (the workspace resolves names once: dns).
        await findingsRows(page).filter({ hasText: 'DNS and name resolution' }).first().click();
        await findingsRows(page).filter({ hasText: /config findings? of this cause/ }).first().waitFor({ state: 'visible' });

        // The report webview (an iframe in an iframe) draws the chart and lists the causes.
        const report = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
        await report.locator('svg.events-chart rect.bar').first().waitFor({ state: 'visible' });
        await report.locator('table.by-cause', { hasText: 'upstream-down' }).waitFor({ state: 'visible' });
        // The picture: the report at full height next to the marked log.
        if (await page.locator('.part.panel').isVisible()) await runCommand(page, 'View: Hide Panel');
        await report.locator('svg.events-chart').scrollIntoViewIfNeeded();
        await screenshot(page, ctx, 'log-report.png');

        // Clear Log Results takes the log root away again.
        await runCommand(page, 'Gateway Doctor: Clear Log Results');
        await root.waitFor({ state: 'detached' });
        await runCommand(page, 'View: Close All Editors');
      },
    },
  ];
}
