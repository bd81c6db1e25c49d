#!/usr/bin/env node
// `npm start`: a live local 502 and a real VS Code to diagnose it. Runs Debian's nginx with the demo
// config (demo/, copied to a temp dir: edit it freely) on a free 127.0.0.1 port, in front of an app
// server that is not running; then code-server with the freshly built extension and the demo open.
// Stays in the foreground until Ctrl-C / SIGTERM, then stops both process groups.
// The npm script builds first (esbuild, tsc); the process code is the e2e harness's (out/test/vscode/harness).
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const harness = path.join(root, 'out', 'test', 'vscode', 'harness');
for (const m of ['codeServer.js', 'nginxServer.js', 'processes.js']) {
  if (!fs.existsSync(path.join(harness, m))) {
    console.error(`${path.join(harness, m)} is missing: run \`npm start\` (it builds first) or \`tsc -p .\``);
    process.exit(2);
  }
}
const { installUnpackedExtension, startCodeServer, writeUserSettings } = require(path.join(harness, 'codeServer.js'));
const { startNginx } = require(path.join(harness, 'nginxServer.js'));
const { freePort, isListening } = require(path.join(harness, 'processes.js'));

const DEMO = path.join(root, 'demo');
const DEMO_LISTEN = 'listen 127.0.0.1:8080;';
const DEMO_SITE = path.join('conf.d', 'shop.conf');
const DEAD_APP_PORT = 3000;

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve(err.message));
  });
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-demo-'));
  const workspace = path.join(work, 'demo');
  fs.cpSync(DEMO, workspace, { recursive: true });
  const running = [];
  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping code-server and nginx…');
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    // The demo says 8080; the running copy takes whatever port is free.
    const port = await freePort();
    const site = path.join(workspace, DEMO_SITE);
    const text = fs.readFileSync(site, 'utf8');
    if (!text.includes(DEMO_LISTEN)) throw new Error(`${path.join('demo', DEMO_SITE)} no longer has \`${DEMO_LISTEN}\` to point at a free port`);
    fs.writeFileSync(site, text.replace(DEMO_LISTEN, `listen 127.0.0.1:${port};`));
    if (await isListening(DEAD_APP_PORT)) {
      console.warn(`note: something listens on 127.0.0.1:${DEAD_APP_PORT}, where the demo's missing app server should be: / may not answer 502`);
    }

    const nginx = await startNginx(workspace, port);
    running.push(nginx);
    const demoUrl = `http://127.0.0.1:${port}/`;
    const status = await get(demoUrl);

    const extensionsDir = path.join(work, 'extensions');
    const userDataDir = path.join(work, 'user-data');
    fs.mkdirSync(extensionsDir, { recursive: true });
    installUnpackedExtension(extensionsDir);
    writeUserSettings(userDataDir, { 'workbench.startupEditor': 'readme' });
    const server = await startCodeServer({ workspace, extensionsDir, userDataDir, logFile: path.join(work, 'code-server.log') });
    running.push(server);

    console.log(`
Gateway Doctor demo
  VS Code (code-server): ${server.workbenchUrl}
  the failing site:      ${demoUrl}  (answers ${status}; nginx -> 127.0.0.1:${DEAD_APP_PORT}, where nothing listens)
  nginx error log:       ${nginx.errorLog}
  demo workspace (copy): ${workspace}

Open the first URL in a browser; demo/README.md there says what to try. Ctrl-C stops everything.`);

    // Stay up while both are up; if either dies, say so and stop the other.
    await new Promise((resolve) => {
      for (const r of running) {
        r.process.child.once('exit', () => {
          if (!stopping) console.error(`${r.process.name} exited unexpectedly:\n${r.process.output().split('\n').slice(-15).join('\n')}`);
          resolve();
        });
      }
    });
    await stopAll(1);
  } catch (err) {
    console.error(err && err.message ? err.message : err);
    await stopAll(1);
  }
}

main();
