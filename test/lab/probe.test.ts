// The probe against real servers on 127.0.0.1: Debian nginx in front of origins that misbehave on
// purpose, and direct probes of refused ports, unresolvable names and bad certificates. Every scenario
// checks the verdict's cause, the generating hop, and that the probe ended within its timeout.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probe } from '../../src/core/probe/probe';
import { mapUrlToConfig } from '../../src/core/probe/configMap';
import { parseResolve } from '../../src/core/probe/resolveOverride';
import type { ProbeReport } from '../../src/core/probe/types';
import { behaviours, freePort, keepAliveCloser, makeCerts, runCli, Nginx, Origin, startNginx, startOrigin } from '../support/probeLab';
import { NGINX } from '../support/nginx';
import { ForwardProxy, startForwardProxy } from '../support/forwardProxy';
import * as http from 'http';


async function timed(url: string, timeoutMs: number, extra: Parameters<typeof probe>[1] = {}): Promise<{ r: ProbeReport; ms: number }> {
  const t0 = Date.now();
  const r = await probe(url, { timeoutMs, ...extra });
  const ms = Date.now() - t0;
  assert.ok(ms < timeoutMs + 500, `probe took ${ms} ms with a ${timeoutMs} ms timeout`);
  return { r, ms };
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
    // The contract's keys, in its order; after them only the documented optional ones (here the error-log
    // lines read during the probe, since --error-log was given).
    const keys = Object.keys(r);
    assert.deepStrictEqual(keys.slice(0, 7), ['url', 'status', 'phases', 'samples', 'percentiles', 'hop', 'verdict']);
    assert.deepStrictEqual(keys.slice(7), ['errorLog']);
    assert.ok((r.errorLog ?? []).some((l) => l.cause === 'buffer-limits' && /too big header/.test(l.line)), 'the error-log line that explains the verdict');
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

describe('probe lab: through a forward proxy', function () {
  this.timeout(30000);
  let dir: string;
  let certs: ReturnType<typeof makeCerts>;
  let proxy: ForwardProxy;
  let proxy502: ForwardProxy;
  let authProxy: ForwardProxy;
  let origin: Origin;
  let tlsOrigin: Origin;
  const sni: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-probe-proxy-'));
    certs = makeCerts(dir);
    proxy = await startForwardProxy();
    proxy502 = await startForwardProxy({ answer502: true });
    authProxy = await startForwardProxy({ credentials: 'alice:s3cret-pw' });
    origin = await startOrigin(behaviours.ok);
    tlsOrigin = await startOrigin(behaviours.ok, { key: fs.readFileSync(certs.selfSigned.key), cert: fs.readFileSync(certs.selfSigned.cert), SNICallback: (name, cb) => (sni.push(name), cb(null, undefined)) });
  });
  after(async () => {
    for (const s of [proxy, proxy502, authProxy, origin, tlsOrigin]) await s?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const p of [proxy, proxy502, authProxy]) p.requests.length = 0;
  });

  it('HTTP_PROXY from the environment: the request goes to the proxy in absolute form', async () => {
    const url = `http://127.0.0.1:${origin.port}/env`;
    const { r } = await timed(url, 3000, { env: { HTTP_PROXY: proxy.url } });
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.verdict.cause, 'none');
    assert.deepStrictEqual(r.proxy, { url: proxy.url, source: 'env', bypassed: false });
    assert.deepStrictEqual(proxy.requests.map((q) => `${q.method} ${q.target}`), [`GET ${url}`]);
    assert.strictEqual(r.samples[0].proxy?.mode, 'absolute-form');
    assert.strictEqual(r.samples[0].connects[0].port, proxy.port, 'the connect phase is the connection to the proxy');
  });

  it('NO_PROXY matching the host: configured but bypassed, the probe goes direct', async () => {
    const { r } = await timed(`http://127.0.0.1:${origin.port}/`, 3000, { env: { http_proxy: proxy.url, NO_PROXY: 'example.com, 127.0.0.0/8' } });
    assert.strictEqual(r.status, 200);
    assert.strictEqual(proxy.requests.length, 0);
    assert.deepStrictEqual(r.proxy, { url: proxy.url, source: 'env', bypassed: true });
    assert.strictEqual(r.samples[0].connects[0].port, origin.port);
    assert.ok(r.verdict.evidence.some((e) => e.includes("NO_PROXY entry '127.0.0.0/8'")), r.verdict.evidence.join('\n'));
  });

  it('--no-proxy ignores HTTPS_PROXY / HTTP_PROXY (CLI)', async () => {
    const out = await runCli(['probe', `http://127.0.0.1:${origin.port}/`, '--no-proxy', '--format', 'json'], 10000, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    assert.strictEqual(out.code, 0, out.stderr);
    const r = JSON.parse(out.stdout) as ProbeReport;
    assert.strictEqual(r.proxy, undefined);
    assert.strictEqual(proxy.requests.length, 0);
  });

  it('a 502 the proxy generates itself (absolute form) → hop forward-proxy, client-side', async () => {
    const { r } = await timed(`http://127.0.0.1:${origin.port}/`, 3000, { proxy: proxy502.url });
    assert.strictEqual(r.status, 502);
    assert.strictEqual(r.hop.generatedBy, 'forward-proxy');
    assert.ok(r.hop.evidence.some((e) => e.includes('Proxy-Agent: gd-lab-proxy')), r.hop.evidence.join('\n'));
    assert.strictEqual(r.verdict.cause, 'client-side');
    assert.match(r.verdict.summary, /generated by http:\/\/127\.0\.0\.1:\d+ \(configured\), not by the site/);
    assert.strictEqual(r.proxy?.source, 'option');
  });

  it('CONNECT refused with 502 by the proxy (https, CLI text) → forward-proxy, and the report says the phases are the proxy\'s', async () => {
    const out = await runCli(['probe', `https://localhost:${tlsOrigin.port}/`, '--timeout', '3000'], 10000, { HTTPS_PROXY: proxy502.url });
    assert.strictEqual(out.code, 1, out.stderr);
    assert.match(out.stdout, /→ {2}502 {2}\(generated by forward-proxy\)/);
    assert.match(out.stdout, /proxy: http:\/\/127\.0\.0\.1:\d+ \(env\); dns and tcp below are the connection to the proxy, tcp includes CONNECT localhost:\d+ → 502/);
    assert.match(out.stdout, /answered CONNECT localhost:\d+ with 502 itself/);
    assert.match(out.stdout, /verdict: client-side/);
    assert.deepStrictEqual(proxy502.requests.map((q) => q.method), ['CONNECT']);
  });

  it('https through a CONNECT tunnel: TLS with the site inside it, SNI = the URL host (CLI, trusted test CA)', async () => {
    sni.length = 0;
    const out = await runCli(
      ['probe', `https://localhost:${tlsOrigin.port}/tunnel`, '--timeout', '3000', '--format', 'json'],
      10000,
      { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certs.selfSigned.cert },
    );
    assert.strictEqual(out.code, 0, out.stdout + out.stderr);
    const r = JSON.parse(out.stdout) as ProbeReport;
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(proxy.requests.map((q) => `${q.method} ${q.target}`), [`CONNECT localhost:${tlsOrigin.port}`]);
    assert.strictEqual(r.samples[0].proxy?.tunnelStatus, 200);
    assert.strictEqual(r.samples[0].tls?.servername, 'localhost');
    assert.deepStrictEqual(sni, ['localhost']);
    assert.ok(r.phases.tlsMs > 0);
  });

  it('credentials in the proxy URL: sent as Proxy-Authorization, never printed', async () => {
    const withCreds = authProxy.url.replace('http://', 'http://alice:s3cret-pw@');
    const out = await runCli(['probe', `http://127.0.0.1:${origin.port}/`, '--proxy', withCreds, '--format', 'json'], 10000, {});
    assert.strictEqual(out.code, 0, out.stdout + out.stderr);
    assert.ok(!out.stdout.includes('s3cret'), 'proxy password leaked into the report');
    const r = JSON.parse(out.stdout) as ProbeReport;
    assert.strictEqual(r.proxy?.url, authProxy.url.replace('http://', 'http://redacted:redacted@'));
    assert.strictEqual(r.status, 200);
    const bad = await runCli(['probe', `http://127.0.0.1:${origin.port}/`, '--format', 'json'], 10000, { HTTP_PROXY: authProxy.url.replace('http://', 'http://alice:wrong-pw@') });
    assert.ok(!bad.stdout.includes('wrong-pw'));
    const rb = JSON.parse(bad.stdout) as ProbeReport;
    assert.strictEqual(rb.status, 407);
    assert.strictEqual(rb.hop.generatedBy, 'forward-proxy');
    assert.strictEqual(rb.verdict.cause, 'client-side');
    assert.strictEqual(rb.verdict.confidence, 'high');
  });

  it('a proxy that refuses connections → client-side, naming the proxy', async () => {
    const closed = await freePort();
    const { r } = await timed(`http://127.0.0.1:${origin.port}/`, 2000, { proxy: `127.0.0.1:${closed}` });
    assert.strictEqual(r.samples[0].proxy?.failedAt, 'connect');
    assert.strictEqual(r.verdict.cause, 'client-side');
    assert.match(r.verdict.summary, /forward proxy http:\/\/127\.0\.0\.1:\d+ \(configured\) could not be reached/);
  });
});

describe('probe lab: idle keep-alive measurement', function () {
  this.timeout(40000);
  let nginx: Nginx | undefined;
  let nodeOrigin: http.Server;
  let nodePort: number;
  let racer: Origin;
  const raw: Origin[] = [];

  before(async function () {
    if (!NGINX) this.skip();
    nodeOrigin = http.createServer((_req, res) => res.end('ok\n'));
    nodeOrigin.keepAliveTimeout = 1000;
    await new Promise<void>((r) => nodeOrigin.listen(0, '127.0.0.1', () => r()));
    nodePort = (nodeOrigin.address() as import('net').AddressInfo).port;
    racer = await startOrigin(keepAliveCloser(1500));
    raw.push(racer);
    nginx = await startNginx(
      `    keepalive_timeout 2s;
    location / { return 200 "ok\\n"; }
    location /app/ { proxy_pass http://app_pool; proxy_http_version 1.1; proxy_set_header Connection ""; }
    location /race/ { proxy_pass http://race_pool; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_next_upstream off; }`,
      `  upstream app_pool { server 127.0.0.1:${nodePort}; keepalive 8; }
  upstream race_pool { server 127.0.0.1:${racer.port}; keepalive 8; }`,
    );
  });
  after(async () => {
    nginx?.stop();
    for (const o of raw) await o.close();
    nodeOrigin?.closeAllConnections?.();
    await new Promise<void>((r) => (nodeOrigin ? nodeOrigin.close(() => r()) : r()));
  });

  it('nginx keepalive_timeout 2s is measured as ≈ 2000 ms', async () => {
    const t0 = Date.now();
    const r = await probe(`http://127.0.0.1:${nginx!.port}/`, { timeoutMs: 3000, measureKeepAliveMs: 5000 });
    assert.ok(r.keepAlive, 'no keepAlive in the report');
    assert.strictEqual(r.keepAlive!.target, `127.0.0.1:${nginx!.port}`);
    assert.ok(r.keepAlive!.idleTimeoutMs !== undefined, JSON.stringify(r.keepAlive));
    assert.ok(Math.abs(r.keepAlive!.idleTimeoutMs! - 2000) < 300, `measured ${r.keepAlive!.idleTimeoutMs} ms`);
    assert.ok(Date.now() - t0 < 4000);
    assert.strictEqual(r.verdict.cause, 'none');
  });

  it('a server that never closes: openAfterMs, and the wait is bounded by the given ms', async () => {
    const o = await startOrigin((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'));
    raw.push(o);
    const t0 = Date.now();
    const r = await probe(`http://127.0.0.1:${o.port}/`, { timeoutMs: 2000, measureKeepAliveMs: 800 });
    const took = Date.now() - t0;
    assert.ok(r.keepAlive?.openAfterMs !== undefined, JSON.stringify(r.keepAlive));
    assert.ok(r.keepAlive!.openAfterMs! >= 790 && r.keepAlive!.openAfterMs! < 1000, `openAfterMs ${r.keepAlive!.openAfterMs}`);
    assert.ok(took < 800 + 700, `the probe took ${took} ms with an 800 ms keep-alive wait`);
  });

  it('cancel stops the wait at once', async () => {
    const o = await startOrigin((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'));
    raw.push(o);
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 300);
    const r = await probe(`http://127.0.0.1:${o.port}/`, { timeoutMs: 2000, measureKeepAliveMs: 20000, signal: ac.signal });
    assert.ok(Date.now() - t0 < 1500, `cancel took ${Date.now() - t0} ms`);
    assert.match(r.keepAlive?.error ?? '', /cancelled/);
    await new Promise((res) => setTimeout(res, 50));
    assert.ok(o.sockets.every((s) => s.destroyed), 'the idle connection was left open');
  });

  it('--config: a Node upstream closing idle connections after 1 s behind nginx upstream keepalive (60s default) → keep-alive race evidence; a healthy 200 stays none (CLI)', async () => {
    const out = await runCli(['probe', `http://127.0.0.1:${nginx!.port}/app/x`, '--timeout', '3000', '--keepalive', '3000', '--config', nginx!.conf, '--format', 'json'], 20000);
    assert.strictEqual(out.code, 0, out.stdout + out.stderr);
    const r = JSON.parse(out.stdout) as ProbeReport;
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.verdict.cause, 'none');
    assert.ok(r.upstreamKeepAlive?.idleTimeoutMs !== undefined, JSON.stringify(r.upstreamKeepAlive));
    // Node announces `Keep-Alive: timeout=1` but (20.x since the keep-alive buffer backport) closes the
    // idle socket about 1 s later than keepAliveTimeout: what is measured is the real close.
    const up = r.upstreamKeepAlive!.idleTimeoutMs!;
    assert.ok(up > 900 && up < 2400, `upstream measured ${up} ms`);
    assert.match(r.upstreamKeepAlive!.note ?? '', /Keep-Alive: timeout=1/);
    assert.strictEqual(r.upstreamKeepAlive!.target, `127.0.0.1:${nodePort}`);
    assert.ok(Math.abs((r.keepAlive?.idleTimeoutMs ?? 0) - 2000) < 300, `nginx measured ${JSON.stringify(r.keepAlive)}`);
    const race = r.verdict.evidence.find((e) => e.startsWith('keep-alive race'));
    assert.ok(race, r.verdict.evidence.join('\n'));
    assert.match(race!, /keepalive_timeout 60s \(the upstream default\)/);
    assert.ok(r.verdict.nextSteps.some((s) => s.startsWith('Keep-alive:')), r.verdict.nextSteps.join('\n'));
  });

  it('a reused upstream connection the upstream closes under nginx: 502 + "prematurely closed" in the log + measured race → keepalive-race (high)', async () => {
    const url = `http://127.0.0.1:${nginx!.port}/race/x`;
    // The CLI's order: map the URL (probing and measuring the upstream directly), then probe.
    const mapping = await mapUrlToConfig(url, [nginx!.conf], { timeoutMs: 3000, measureKeepAliveMs: 3000 });
    assert.ok(Math.abs((mapping.upstreamKeepAlive?.idleTimeoutMs ?? 0) - 1500) < 300, JSON.stringify(mapping.upstreamKeepAlive));
    assert.ok(mapping.notes.some((n) => n.cause === 'keepalive-race'), JSON.stringify(mapping));
    // One request through nginx leaves an idle upstream connection in its pool; the probe reuses it,
    // and the upstream closes it as the request arrives (proxy_next_upstream off: no retry hides it).
    await new Promise<void>((resolve, reject) => http.get(url, (res) => (res.resume(), res.on('end', () => resolve()))).on('error', reject));
    const r = await probe(url, { timeoutMs: 3000, errorLogs: [nginx!.errorLog], configNotes: mapping.notes, upstreamKeepAlive: mapping.upstreamKeepAlive });
    assert.strictEqual(r.status, 502);
    assert.strictEqual(r.hop.generatedBy, 'nginx');
    assert.strictEqual(r.verdict.cause, 'keepalive-race', JSON.stringify(r.verdict, null, 1));
    assert.strictEqual(r.verdict.confidence, 'high');
    assert.ok(r.verdict.evidence.some((e) => /upstream prematurely closed connection/.test(e)), r.verdict.evidence.join('\n'));
    assert.ok(r.upstreamKeepAlive);
  });
});
