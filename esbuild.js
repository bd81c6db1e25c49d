// Bundles the extension (vscode stays external) and the CLI. `--production` minifies; `--watch` rebuilds.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

// The CLI speaks HTTP/1.1 only (the probe offers ALPN http/1.1 on sockets it made itself), so undici's
// HTTP/2 client never runs there; its top-level require('node:http2') alone costs ~10 ms of every
// one-shot CLI start. In the CLI bundle it is replaced by a stub that says so if it is ever reached.
const noUndiciH2 = {
  name: 'no-undici-h2',
  setup(b) {
    b.onResolve({ filter: /^\.\/client-h2(\.js)?$/ }, (a) => (/[\\/]undici[\\/]/.test(a.importer) ? { path: 'undici-client-h2', namespace: 'gd-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'gd-stub' }, () => ({
      contents: "module.exports = function connectH2() { throw new Error('HTTP/2 is not built into the gateway-doctor CLI'); };",
      loader: 'js',
    }));
  },
};

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // The CLI: dist/cli.js is a small launcher that loads dist/cli-main.js with a V8 code cache.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-main.js', plugins: [noUndiciH2] },
  { ...common, entryPoints: ['src/cli/launch.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, sourcemap: false },
  // Worker thread that analyzeFiles starts for the second half of a large log (next to cli.js / extension.js).
  { ...common, entryPoints: ['src/core/logs/logsWorker.ts'], outfile: 'dist/logsWorker.js' },
  // Worker thread for the WebAssembly log scanner (the scanner only, so it starts quickly).
  { ...common, entryPoints: ['src/core/logs/wasmWorker.ts'], outfile: 'dist/logsWasmWorker.js' },
];

/** dist/cli-main.js.cache: V8's code cache after one representative run (a probe of a tiny HTTP server
 * on loopback). Best effort: without it the CLI works the same, only starts slower. */
async function makeCodeCache() {
  const net = require('net');
  const path = require('path');
  const { execFile } = require('child_process');
  for (const f of ['dist/cli-main.js.cache', 'dist/cli-main.js.cache.json', 'dist/cli-main.js.logs.cache', 'dist/cli-main.js.logs.cache.json']) require('fs').rmSync(f, { force: true });
  // `logs` runs under other V8 flags (see launch.ts) and so has a cache of its own: one run over a small
  // generated nginx error.log.
  try {
    const os = require('os');
    const fs = require('fs');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-cache-'));
    const log = path.join(dir, 'error.log');
    const line = (i) => `2024/01/15 10:${String(i % 60).padStart(2, '0')}:00 [error] 7#7: *${i} connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.${i % 250}, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.3.${i % 4}:8080/", host: "a"\n`;
    fs.writeFileSync(log, Array.from({ length: 400 }, (_, i) => line(i)).join(''));
    await new Promise((resolve, reject) =>
      execFile(process.execPath, [path.join(__dirname, 'dist', 'cli.js'), 'logs', log, '--format', 'json'], { env: { ...process.env, GD_WRITE_CODE_CACHE: '1' }, timeout: 20000 }, (err) =>
        err && err.code !== 1 ? reject(err) : resolve(),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    console.warn(`esbuild.js: no code cache for the CLI's logs command (${err.message.split('\n')[0]}); it will start slower`);
  }
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n'));
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/`;
    await new Promise((resolve, reject) =>
      execFile(process.execPath, [path.join(__dirname, 'dist', 'cli.js'), 'probe', url, '--no-proxy', '--timeout', '5000', '--format', 'json'], { env: { ...process.env, GD_WRITE_CODE_CACHE: '1' }, timeout: 20000 }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  } catch (err) {
    console.warn(`esbuild.js: no code cache for the CLI (${err.message.split('\n')[0]}); it will start slower`);
  } finally {
    server.close();
  }
}

async function main() {
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // dist/nginxScan.wasm, next to cli.js / extension.js / logsWorker.js (optional: without clang, none).
  require('./scripts/build-wasm').buildWasm();
  await makeCodeCache();
}

main().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
