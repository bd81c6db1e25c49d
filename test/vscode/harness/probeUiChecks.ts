// Browser checks of the probe UI, run after the in-editor suite: "Probe URL…" typed into the palette
// against a live local 502 (Debian nginx in front of a closed port) opens the report webview with its
// SVG waterfall and hop chain, and the Findings view gets the probe row with its phases. Screenshot
// probe-report.png for the README. Every wait is a selector with a timeout.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { NGINX_BIN, startNginx } from './nginxServer';
import { freePort } from './processes';
import { UiCheck, UiContext, runCommand } from './uiChecks';

const PALETTE_INPUT = '.quick-input-widget .quick-input-box input';

function labConfig(port: number, deadPort: number): string {
  return `events {}
http {
    access_log off;
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://127.0.0.1:${deadPort};
        }
    }
}
`;
}

/** Types the URL into Probe URL…'s input (a quick pick once there are recent URLs) and accepts it. */
async function probeFromPalette(page: Page, url: string): Promise<void> {
  // Not uiChecks' runCommand: the palette does not close here, the command's own input replaces it.
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const palette = page.locator(PALETTE_INPUT);
  await palette.waitFor({ state: 'visible' });
  await palette.fill('>Gateway Doctor: Probe URL');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Gateway Doctor: Probe URL…' }).first().click();
  // The command's input: an input box, or a quick pick once there are recent URLs.
  const input = page.locator(`${PALETTE_INPUT}[placeholder^="Type a URL"], ${PALETTE_INPUT}[placeholder^="https://"]`);
  await input.waitFor({ state: 'visible' });
  await input.fill(url);
  // With recent URLs the typed one becomes the first row; accept only once it is there.
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  if ((await rows.count()) > 0) await rows.filter({ hasText: 'probe this URL' }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** Leaves only the report's editor group (the editor the earlier checks opened goes). */
async function closeOtherEditors(page: Page): Promise<void> {
  await page.locator('.tabs-container .tab', { hasText: 'Probe:' }).first().click();
  await runCommand(page, 'View: Close Editors in Other Groups');
  await page.locator('.tabs-container .tab', { hasNotText: 'Probe:' }).first().waitFor({ state: 'detached' });
}

async function screenshot(page: Page, ctx: UiContext, name: string): Promise<void> {
  fs.mkdirSync(ctx.imagesDir, { recursive: true });
  await page.evaluate(() => new Promise<void>((r) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(() => r()))));
  await page.screenshot({ path: path.join(ctx.imagesDir, name) });
}

export function probeUiChecks(ctx: UiContext): UiCheck[] {
  return [
    {
      title: 'Probe URL… on a live 502 opens the report with the waterfall, and the Findings view gets the probe row',
      async run(page) {
        if (!NGINX_BIN) throw new Error('nginx is not installed: run `bash scripts/setup.sh`');
        const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-probe-ui-'));
        const port = await freePort();
        fs.writeFileSync(path.join(prefix, 'nginx.conf'), labConfig(port, await freePort()));
        const nginx = await startNginx(prefix, port);
        try {
          const url = `http://127.0.0.1:${port}/`;
          await probeFromPalette(page, url);
          const report = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
          await report.locator('svg.waterfall g.phase-ttfb rect.bar').waitFor({ state: 'visible' });
          await report.locator('svg.hop-chain g.hop.generated', { hasText: 'nginx' }).waitFor({ state: 'visible' });
          const verdict = await report.locator('#verdict').innerText();
          if (!verdict.includes('Upstream down or refusing')) throw new Error(`the report's verdict is not upstream-down:\n${verdict}`);
          const tree = page.locator('.part.sidebar .pane:has(.pane-header:has-text("Findings")) .monaco-list-row');
          await tree.filter({ hasText: url }).first().waitFor({ state: 'visible' });
          await tree.filter({ hasText: 'Server processing (TTFB)' }).first().waitFor({ state: 'visible' });
          // The picture for the README: the report alone in the editor area, scrolled to the waterfall.
          await closeOtherEditors(page);
          await runCommand(page, 'Notifications: Clear All Notifications');
          await report.locator('#timing').scrollIntoViewIfNeeded();
          await screenshot(page, ctx, 'probe-report.png');
        } finally {
          await nginx.stop();
          fs.rmSync(prefix, { recursive: true, force: true });
        }
      },
    },
  ];
}
