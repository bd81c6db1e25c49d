#!/usr/bin/env node
// Probe benchmark against references in the same run, all on a loopback nginx started here:
//  1. phase timings agree with `curl -w` within 1 ms (medians of dns, connect, server, total);
//  2. one probe's whole-process time (node dist/cli.js probe URL --samples 1) ≤ 1.5× curl's (node -e 0 shown too);
//  3. 1,000 samples at concurrency 16 reach ≥ 0.8× the requests/s of autocannon.
// `node bench/probe.js` prints figures and PASS/MISS; bench/run.js calls benchProbe().
'use strict';
const { spawn, spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

const root = path.resolve(__dirname, '..');
const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

async function waitForPort(port, deadlineMs, alive) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error('nginx exited before listening');
    if (Date.now() > end) throw new Error(`nginx did not listen on ${port} within ${deadlineMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

async function startNginx(dir) {
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `error_log ${dir}/error.log error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000;
  server { listen 127.0.0.1:${port}; location / { return 200 "ok\\n"; } }
}
`,
  );
  const proc = spawn(NGINX, ['-p', dir + '/', '-c', conf, '-g', `daemon off; master_process off; pid ${dir}/pid;`], { detached: true, stdio: 'ignore' });
  let exited = false;
  proc.on('exit', () => (exited = true));
  const stop = () => {
    try {
      if (!exited) process.kill(-proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  try {
    await waitForPort(port, 10000, () => !exited);
  } catch (err) {
    stop();
    throw err;
  }
  return { port, stop };
}

/** The probe core bundled on its own (the CLI bundle does not export it). */
async function loadProbe(dir) {
  const esbuild = require('esbuild');
  const out = path.join(dir, 'probe-core.js');
  await esbuild.build({ entryPoints: [path.join(root, 'src/core/probe/probe.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: out, logLevel: 'error' });
  return require(out);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r2 = (x) => Math.round(x * 100) / 100;

/** curl's cumulative -w times → the same per-phase durations the probe reports. */
function curlPhases(url, n) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const out = execFileSync('curl', ['-s', '-o', '/dev/null', '--noproxy', '*', '-w', '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}', url], { encoding: 'utf8' });
    const [dns, conn, app, start, total] = out.trim().split(/\s+/).map((x) => parseFloat(x) * 1000);
    const tlsEnd = app > 0 ? app : conn;
    rows.push({ dnsMs: dns, connectMs: conn - dns, tlsMs: tlsEnd - conn, ttfbMs: start - tlsEnd, totalMs: total });
  }
  return rows;
}

function wallMs(cmd, args, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    times.push(performance.now() - t0);
    if (r.status === null) throw new Error(`${cmd} was killed`);
  }
  return median(times);
}

async function benchProbe(opts = {}) {
  const log = opts.log ?? ((s) => process.stdout.write(s + '\n'));
  if (!NGINX) throw new Error('nginx is not installed: run `bash scripts/setup.sh`');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-bench-probe-'));
  const ng = await startNginx(dir);
  const results = [];
  try {
    const core = await loadProbe(dir);
    const url = `http://localhost:${ng.port}/`;
    const N = 30;

    // 1. Phase agreement: medians over N runs each, ours in-process (warm), curl one process per run.
    for (let i = 0; i < 5; i++) await core.probeOnce(new URL(url), { timeoutMs: 5000 });
    const ours = [];
    for (let i = 0; i < N; i++) ours.push((await core.probeOnce(new URL(url), { timeoutMs: 5000 })).phases);
    const curl = curlPhases(url, N);
    for (const k of ['dnsMs', 'connectMs', 'ttfbMs', 'totalMs']) {
      const o = median(ours.map((p) => p[k]));
      const c = median(curl.map((p) => p[k]));
      const diff = Math.abs(o - c);
      results.push({ name: `probe phase ${k} agrees with curl -w (median of ${N}, |diff| ms)`, ours: r2(o), reference: r2(c), ratio: r2(diff), goal: '|ours - curl| <= 1 ms', pass: diff <= 1 });
    }

    // 2. Whole-process time of one probe vs one curl.
    const cli = path.join(root, 'dist', 'cli.js');
    if (!fs.existsSync(cli)) execFileSync(process.execPath, [path.join(root, 'esbuild.js')], { cwd: root });
    // Interleaved (curl, node -e 0, ours) so machine noise hits all three alike; node -e 0 is the floor
    // any Node CLI pays, shown for context (not part of the goal).
    const runs = opts.runs ?? 15;
    const wall = { curl: [], node: [], ours: [] };
    for (let i = 0; i < runs; i++) {
      wall.curl.push(wallMs('curl', ['-s', '-o', '/dev/null', '--noproxy', '*', url], 1));
      wall.node.push(wallMs(process.execPath, ['-e', '0'], 1));
      wall.ours.push(wallMs(process.execPath, [cli, 'probe', url, '--samples', '1', '--no-proxy', '--format', 'json'], 1));
    }
    const curlWall = median(wall.curl);
    const nodeWall = median(wall.node);
    const oursWall = median(wall.ours);
    log(`      node -e 0: median ${r2(nodeWall)} ms (the floor of any Node process here); ours - node -e 0 = ${r2(oursWall - nodeWall)} ms; curl ${r2(curlWall)} ms`);
    results.push({ name: `single probe whole-process time (median of ${runs}, ms)`, ours: r2(oursWall), reference: r2(curlWall), ratio: r2(oursWall / curlWall), goal: 'ratio <= 1.5', pass: oursWall / curlWall <= 1.5 });

    // 3. Throughput: 1,000 samples at concurrency 16 vs autocannon (1,000 requests, 16 connections).
    const autocannon = require('autocannon');
    const ac = await autocannon({ url, connections: 16, amount: 1000 });
    const acRps = ac.requests.total / (ac.duration || 1e-9);
    const t0 = performance.now();
    const rep = await core.probe(url, { samples: 1000, concurrency: 16, timeoutMs: 10000 });
    const secs = (performance.now() - t0) / 1000;
    const ourRps = rep.percentiles.count / secs;
    results.push({
      name: `1,000 samples at concurrency 16 (requests/s; error rate ${rep.percentiles.errorRate})`,
      ours: Math.round(ourRps),
      reference: Math.round(acRps),
      ratio: r2(ourRps / acRps),
      goal: 'ratio >= 0.8',
      pass: ourRps / acRps >= 0.8 && rep.percentiles.errorRate === 0,
    });
  } finally {
    ng.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const r of results) log(`${r.pass ? 'PASS' : 'MISS'}  ${r.name}: ours ${r.ours}, reference ${r.reference}, ratio ${r.ratio} (goal ${r.goal})`);
  return results.map(({ name, ours, reference, ratio, goal, pass }) => ({ name, ours, reference, ratio, goal, pass }));
}

module.exports = { benchProbe };

if (require.main === module) {
  benchProbe().then(
    (rs) => process.exit(rs.every((r) => r.pass) ? 0 : 1),
    (err) => {
      console.error(`bench/probe: ${err && err.stack ? err.stack : err}`);
      process.exit(2);
    },
  );
}
