// The probe against real servers on 127.0.0.1: Debian nginx in front of origins that misbehave on
// purpose, and direct probes of refused ports, unresolvable names and bad certificates. Every scenario
// checks the verdict's cause, the generating hop, and that the probe ended within its timeout.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probe } from '../../src/core/probe/probe';
import { parseResolve } from '../../src/core/probe/resolveOverride';
import type { ProbeReport } from '../../src/core/probe/types';
import { behaviours, freePort, makeCerts, Nginx, Origin, startNginx, startOrigin } from '../support/probeLab';
import { NGINX } from '../support/nginx';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(repoRoot, 'dist', 'cli.js');

async function timed(url: string, timeoutMs: number, extra: Parameters<typeof probe>[1] = {}): Promise<{ r: ProbeReport; ms: number }> {
  const t0 = Date.now();
  const r = await probe(url, { timeoutMs, ...extra });
  const ms = Date.now() - t0;
  assert.ok(ms < timeoutMs + 500, `probe took ${ms} ms with a ${timeoutMs} ms timeout`);
  return { r, ms };
}

function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`CLI did not end within ${timeoutMs} ms`));
    }, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('probe lab: nginx in front of misbehaving origins', function () {
  this.timeout(30000);
  const origins: Record<string, Origin> = {};
  let nginx: Nginx;
  let closedPort: number;
  let base: string;

  before(async function () {
    if (!NGINX) this.skip();
    for (const name of ['ok', 'hang', 'bigHeader', 'closeMidResponse', 'garbage', 'endlessHeaders', 'slowHeaders', 'hugeBody', 'redirectLoop']) {
      origins[name] = await startOrigin(behaviours[name]);
    }
    closedPort = await freePort();
    const loc = (p: string, port: number, extra = '') => `    location ${p} { proxy_pass http://127.0.0.1:${port}; ${extra} }\n`;
    nginx = await startNginx(
      loc('/ok', origins.ok.port) +
        loc('/refused', closedPort) +
        loc('/hang', origins.hang.port, 'proxy_read_timeout 1s;') +
        loc('/big', origins.bigHeader.port, 'proxy_buffer_size 1k;') +
        loc('/midclose', origins.closeMidResponse.port) +
        loc('/garbage', origins.garbage.port) +
        loc('/endless', origins.endlessHeaders.port, 'proxy_buffer_size 1k;') +
        loc('/slow', origins.slowHeaders.port, 'proxy_read_timeout 1s;') +
        loc('/huge', origins.hugeBody.port) +
        loc('/loop', origins.redirectLoop.port),
    );
    base = `http://127.0.0.1:${nginx.port}`;
  });

  after(async () => {
    nginx?.stop();
    for (const o of Object.values(origins)) await o.close();
  });

  it('healthy: 200 → none, generated behind nginx', async () => {
    const { r } = await timed(`${base}/ok`, 3000);
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.verdict.cause, 'none');
    assert.strictEqual(r.hop.generatedBy, 'origin');
    assert.ok(r.hop.evidence.some((e) => e.includes('nginx on the path')), r.hop.evidence.join('\n'));
  });

  it('refusing upstream: 502 from nginx, error log says refused → upstream-down', async () => {
    const { r } = await timed(`${base}/refused`, 3000, { errorLogs: [nginx.errorLog] });
    assert.strictEqual(r.status, 502);
    assert.strictEqual(r.hop.generatedBy, 'nginx');
    assert.strictEqual(r.verdict.cause, 'upstream-down');
    assert.ok(r.verdict.evidence.some((e) => e.includes('Connection refused')), r.verdict.evidence.join('\n'));
  });

  it('hanging past proxy_read_timeout 1s: 504 from nginx → timeout-mismatch', async () => {
    const { r } = await timed(`${base}/hang`, 4000, { errorLogs: [nginx.errorLog] });
    assert.strictEqual(r.status, 504);
    assert.strictEqual(r.hop.generatedBy, 'nginx');
    assert.strictEqual(r.verdict.cause, 'timeout-mismatch');
  });

  it('headers larger than proxy_buffer_size 1k, with the error log → buffer-limits (CLI, JSON, exit 1)', async () => {
    const out = await runCli(['probe', `${base}/big`, '--timeout', '3000', '--error-log', nginx.errorLog, '--format', 'json'], 10000);
    assert.strictEqual(out.code, 1, out.stderr);
    const r = JSON.parse(out.stdout) as ProbeReport;
    assert.deepStrictEqual(Object.keys(r), ['url', 'status', 'phases', 'samples', 'percentiles', 'hop', 'verdict']);
    assert.deepStrictEqual(Object.keys(r.phases), ['dnsMs', 'connectMs', 'tlsMs', 'ttfbMs', 'totalMs']);
    assert.deepStrictEqual(Object.keys(r.verdict), ['cause', 'confidence', 'summary', 'evidence', 'nextSteps']);
    assert.strictEqual(r.status, 502);
    assert.strictEqual(r.hop.generatedBy, 'nginx');
    assert.strictEqual(r.verdict.cause, 'buffer-limits');
    assert.ok(r.verdict.evidence.some((e) => e.includes('upstream sent too big header')));
  });

  it('--config maps the URL to its location, probes the upstream and compares header size with the buffer', async () => {
    const out = await runCli(['probe', `${base}/big`, '--timeout', '3000', '--config', nginx.conf], 10000);
    assert.strictEqual(out.code, 1, out.stderr);
    assert.match(out.stdout, /location \/big/);
    assert.match(out.stdout, /proxy_buffer_size 1k/);
    assert.match(out.stdout, /verdict: buffer-limits/);
    assert.ok(!out.stdout.includes('s3cr3t-cookie'), 'Set-Cookie value leaked into the report');
  });

  it('origin closing mid-response: 502 from nginx → upstream-down', async () => {
    const { r } = await timed(`${base}/midclose`, 3000, { errorLogs: [nginx.errorLog] });
    assert.strictEqual(r.status, 502);
    assert.strictEqual(r.hop.generatedBy, 'nginx');
    assert.strictEqual(r.verdict.cause, 'upstream-down');
  });

  it('origin answering garbage: nginx reports no valid HTTP header → routing', async () => {
    const { r } = await timed(`${base}/garbage`, 3000, { errorLogs: [nginx.errorLog] });
    assert.strictEqual(r.verdict.cause, 'routing', JSON.stringify(r.verdict));
    assert.ok(r.verdict.evidence.some((e) => e.includes('no valid HTTP')), r.verdict.evidence.join('\n'));
  });

  it('endless headers behind a 1k buffer: nginx 502 → buffer-limits; the probe ends', async () => {
    const { r } = await timed(`${base}/endless`, 3000, { errorLogs: [nginx.errorLog] });
    assert.strictEqual(r.status, 502);
    assert.strictEqual(r.hop.generatedBy, 'nginx');
    assert.strictEqual(r.verdict.cause, 'buffer-limits');
  });

  it('slow headers (a line every 200 ms) behind proxy_read_timeout 1s: nginx gives up → timeout-mismatch', async () => {
    const { r } = await timed(`${base}/slow`, 4000, { errorLogs: [nginx.errorLog] });
    assert.strictEqual(r.hop.generatedBy, 'nginx');
    assert.strictEqual(r.verdict.cause, 'timeout-mismatch', JSON.stringify(r.verdict));
  });

  it('huge body (1 GiB announced): read up to the cap, memory bounded, healthy', async () => {
    const before = process.memoryUsage().rss;
    const { r } = await timed(`${base}/huge`, 5000, { maxBodyBytes: 2 * 1024 * 1024 });
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.verdict.cause, 'none');
    assert.ok(r.samples[0].http!.bodyTruncated);
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'rss grew more than 64 MB');
  });

  it('redirect loop → routing, generated behind nginx', async () => {
    const { r } = await timed(`${base}/loop/a`, 3000);
    assert.strictEqual(r.status, 302);
    assert.strictEqual(r.hop.generatedBy, 'origin');
    assert.strictEqual(r.verdict.cause, 'routing');
    assert.ok(r.samples[0].redirects.some((x) => x.note?.startsWith('loop')));
  });

  it('samples: p50/p95/p99 per phase over 20 requests', async () => {
    const r = await probe(`${base}/ok`, { samples: 20, concurrency: 4, timeoutMs: 3000 });
    assert.strictEqual(r.percentiles.count, 20);
    assert.strictEqual(r.percentiles.errorRate, 0);
    assert.ok(r.percentiles.totalMs.p50 <= r.percentiles.totalMs.p99);
  });

  it('--resolve keeps the URL name for Host while connecting to the given address', async () => {
    const r = await probe(`http://lab.test:${nginx.port}/ok`, { timeoutMs: 3000, resolve: [parseResolve(`lab.test:${nginx.port}:127.0.0.1`)] });
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.samples[0].dns?.source, 'resolve');
    assert.strictEqual(r.samples[0].connects[0].address, '127.0.0.1');
  });
});

describe('probe lab: direct probes', function () {
  this.timeout(30000);
  let dir: string;
  let certs: ReturnType<typeof makeCerts>;
  const servers: Origin[] = [];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-probe-certs-'));
    certs = makeCerts(dir);
  });
  after(async () => {
    for (const s of servers) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refused port → upstream-down, no response', async () => {
    const port = await freePort();
    const { r } = await timed(`http://127.0.0.1:${port}/`, 2000);
    assert.strictEqual(r.hop.generatedBy, 'no-response');
    assert.strictEqual(r.verdict.cause, 'upstream-down');
  });

  it('unresolvable name (.invalid) → dns, and the CLI exits 1', async () => {
    const { r } = await timed('http://nothing-here.invalid/', 2000);
    assert.strictEqual(r.verdict.cause, 'dns');
    assert.strictEqual(r.hop.generatedBy, 'no-response');
    const out = await runCli(['probe', 'http://nothing-here.invalid/', '--timeout', '2000'], 10000);
    assert.strictEqual(out.code, 1);
    assert.match(out.stdout, /verdict: dns/);
  });

  for (const kind of ['selfSigned', 'expired', 'otherName'] as const) {
    it(`${kind} certificate → tls, no request sent`, async () => {
      const c = certs[kind];
      const o = await startOrigin(behaviours.ok, { key: fs.readFileSync(c.key), cert: fs.readFileSync(c.cert) });
      servers.push(o);
      const { r } = await timed(`https://localhost:${o.port}/`, 3000);
      assert.strictEqual(r.verdict.cause, 'tls', JSON.stringify(r.verdict));
      assert.strictEqual(r.hop.generatedBy, 'no-response');
      const problems = r.samples[0].tls!.problems.join('\n');
      if (kind === 'expired') assert.match(problems, /EXPIRED/);
      if (kind === 'otherName') assert.match(problems, /name mismatch/);
      if (kind === 'selfSigned') assert.match(problems, /SELF_SIGNED/);
      assert.strictEqual(r.samples[0].tls!.servername, 'localhost');
    });
  }

  it('endless headers probed directly: header cap ends it → buffer-limits', async () => {
    const o = await startOrigin(behaviours.endlessHeaders);
    servers.push(o);
    const { r } = await timed(`http://127.0.0.1:${o.port}/`, 3000);
    assert.strictEqual(r.verdict.cause, 'buffer-limits');
  });

  it('slow headers probed directly: the probe gives up at its timeout → timeout-mismatch, no response', async () => {
    const o = await startOrigin(behaviours.slowHeaders);
    servers.push(o);
    const { r } = await timed(`http://127.0.0.1:${o.port}/`, 1200);
    assert.strictEqual(r.hop.generatedBy, 'no-response');
    assert.strictEqual(r.verdict.cause, 'timeout-mismatch');
  });

  it('garbage probed directly → routing', async () => {
    const o = await startOrigin(behaviours.garbage);
    servers.push(o);
    const { r } = await timed(`http://127.0.0.1:${o.port}/`, 3000);
    assert.strictEqual(r.verdict.cause, 'routing');
  });

  it('cancel stops the probe and closes its socket', async () => {
    const o = await startOrigin(behaviours.hang);
    servers.push(o);
    const ac = new AbortController();
    const accepted = new Promise<void>((resolve) => o.server.once('connection', () => resolve()));
    const t0 = Date.now();
    const running = probe(`http://127.0.0.1:${o.port}/`, { timeoutMs: 20000, signal: ac.signal });
    await accepted;
    const serverSide = o.sockets[o.sockets.length - 1];
    const closed = new Promise<void>((resolve) => (serverSide.destroyed ? resolve() : serverSide.once('close', () => resolve())));
    ac.abort();
    const r = await running;
    await closed;
    assert.ok(Date.now() - t0 < 2000, 'cancel did not stop the probe promptly');
    assert.strictEqual(r.samples[0].error?.phase, 'cancelled');
  });
});
