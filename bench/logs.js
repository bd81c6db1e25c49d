#!/usr/bin/env node
// Benchmark: `gateway-doctor logs` over a ~200 MB nginx error.log, whole process, against
// `grep -c upstream` on the same file in the same run (medians of 3). Goal: at most 3x grep.
// bench/run.js calls benchLogs(); `node bench/logs.js` runs it alone (after `npm run build`).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const work = path.join(__dirname, '.work');
const file = path.join(work, 'nginx-error-200mb.log');
const TARGET_BYTES = 200 * 1024 * 1024;

// A realistic mix: most lines are upstream failures of a few kinds, with the notices, keep-alive
// chatter and static-file misses a real error.log carries between them.
const KINDS = [
  (c, u) => `connect() failed (111: Connection refused) while connecting to upstream, client: ${c}, server: shop.example.com, request: "GET /api/cart?id=${u} HTTP/1.1", upstream: "http://10.0.3.${u % 4}:8080/api/cart?id=${u}", host: "shop.example.com"`,
  (c, u) => `upstream timed out (110: Connection timed out) while reading response header from upstream, client: ${c}, server: shop.example.com, request: "GET /report/${u} HTTP/1.1", upstream: "http://10.0.3.${u % 4}:8080/report/${u}", host: "shop.example.com"`,
  (c, u) => `upstream prematurely closed connection while reading response header from upstream, client: ${c}, server: shop.example.com, request: "POST /checkout HTTP/1.1", upstream: "http://10.0.3.${u % 4}:8080/checkout", host: "shop.example.com"`,
  (c, u) => `recv() failed (104: Connection reset by peer) while reading response header from upstream, client: ${c}, server: shop.example.com, request: "GET /api/items/${u} HTTP/1.1", upstream: "http://10.0.3.${u % 4}:8080/api/items/${u}", host: "shop.example.com"`,
  (c, u) => `upstream sent too big header while reading response header from upstream, client: ${c}, server: shop.example.com, request: "GET /login HTTP/1.1", upstream: "http://10.0.3.${u % 4}:8080/login", host: "shop.example.com"`,
  (c) => `client ${c} closed keepalive connection`,
  (c, u) => `open() "/var/www/shop/static/img/${u}.png" failed (2: No such file or directory), client: ${c}, server: shop.example.com, request: "GET /static/img/${u}.png HTTP/1.1", host: "shop.example.com"`,
  (c, u) => `no live upstreams while connecting to upstream, client: ${c}, server: shop.example.com, request: "GET /api/cart?id=${u} HTTP/1.1", upstream: "http://backend/api/cart?id=${u}", host: "shop.example.com"`,
];
const LEVELS = ['error', 'error', 'error', 'error', 'error', 'info', 'error', 'error'];

function generate() {
  if (fs.existsSync(file) && fs.statSync(file).size >= TARGET_BYTES) return;
  fs.mkdirSync(work, { recursive: true });
  const fd = fs.openSync(file + '.tmp', 'w');
  let written = 0;
  let n = 0;
  let t = Date.UTC(2024, 0, 15, 0, 0, 0);
  const pad = (x) => String(x).padStart(2, '0');
  while (written < TARGET_BYTES) {
    const lines = [];
    for (let i = 0; i < 20000; i++, n++) {
      t += 37;
      const d = new Date(t);
      const ts = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      const k = (n * 7919) % KINDS.length;
      const client = `198.51.100.${n % 250}`;
      lines.push(`${ts} [${LEVELS[k]}] 2211#2211: *${n} ${KINDS[k](client, n % 10007)}`);
    }
    const chunk = lines.join('\n') + '\n';
    fs.writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
  }
  fs.closeSync(fd);
  fs.renameSync(file + '.tmp', file);
}

function timeRun(cmd, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw r.error;
  return { ms, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchLogs() {
  const cli = path.join(root, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  generate();
  if (!fs.existsSync(path.join(root, 'dist', 'nginxScan.wasm'))) {
    console.error('bench/logs.js: dist/nginxScan.wasm is missing (no clang when dist/ was built): this measures the JavaScript path');
  }
  const ours = [];
  const grep = [];
  const nodeOnly = [];
  let check;
  for (let i = 0; i < 3; i++) {
    const g = timeRun('grep', ['-c', 'upstream', file]);
    grep.push(g.ms);
    nodeOnly.push(timeRun(process.execPath, ['-e', '0']).ms);
    const o = timeRun(process.execPath, [cli, 'logs', file, '--format', 'json']);
    if (o.status !== 0 && o.status !== 1) throw new Error(`gateway-doctor logs failed (${o.status}): ${o.stderr.trim()}`);
    ours.push(o.ms);
    check = { grepCount: Number(g.stdout.trim()), events: JSON.parse(o.stdout).events };
  }
  const ours_ms = Math.round(median(ours));
  const grep_ms = Math.round(median(grep));
  return {
    name: 'logs: ~200 MB nginx error.log vs grep -c upstream',
    ours_ms,
    grep_ms,
    ratio: Math.round((ours_ms / grep_ms) * 100) / 100,
    node_e0_ms: Math.round(median(nodeOnly)),
    goal: 3,
    bytes: fs.statSync(file).size,
    ...check,
  };
}

module.exports = { benchLogs };

if (require.main === module) {
  benchLogs().then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      console.log(`${r.name}: ${r.ours_ms} ms vs ${r.grep_ms} ms = ${r.ratio}x (goal <= ${r.goal}x) ${r.ratio <= r.goal ? 'PASS' : 'MISS'}`);
    },
    (err) => {
      console.error(err.message || err);
      process.exit(1);
    },
  );
}
