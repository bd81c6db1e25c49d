// The probe report's HTML (the editor's webview body): verdict first, the SVG waterfall and hop chain,
// the details, and every value escaped. Reports are built from samples by the core's own summarize /
// explainHop / decideVerdict, so the shapes are the probe's.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { explainHop } from '../../src/core/probe/fingerprint';
import { summarize } from '../../src/core/probe/sample';
import { decideVerdict } from '../../src/core/probe/verdict';
import { ProbeHtmlInput, ProbeReportView, failedPhase, probeHtml } from '../../src/core/report/probeHtml';
import { routeUrl } from '../../src/core/configs/nginx/urlRoute';
import { SourceCache } from '../../src/core/configs/nginx/tree';
import { NodeFileHost } from '../../src/core/host';
import type { Sample } from '../../src/core/probe/types';

const NGINX_502 = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.22.1</center></body></html>';

function nginx502(totalMs: number): Sample {
  return {
    url: 'http://127.0.0.1:8080/',
    phases: { dnsMs: 0.1, connectMs: 0.4, tlsMs: 0, ttfbMs: totalMs - 1, totalMs },
    dns: { host: '127.0.0.1', addresses: [{ address: '127.0.0.1', family: 4 }], cnames: [], source: 'literal' },
    connects: [{ address: '127.0.0.1', port: 8080, ms: 0.4, ok: true }],
    status: 502,
    http: { status: 502, statusText: 'Bad Gateway', headers: { server: 'nginx/1.22.1' }, headerBytes: 150, bodyBytes: NGINX_502.length, bodyTruncated: false, bodySnippet: NGINX_502 },
    redirects: [],
  };
}

function refused(): Sample {
  return {
    url: 'http://127.0.0.1:9/',
    phases: { dnsMs: 0.05, connectMs: 0.3, tlsMs: 0, ttfbMs: 0, totalMs: 0.4 },
    dns: { host: '127.0.0.1', addresses: [{ address: '127.0.0.1', family: 4 }], cnames: [], source: 'literal' },
    connects: [{ address: '127.0.0.1', port: 9, ms: 0.3, ok: false, error: 'ECONNREFUSED' }],
    redirects: [],
    error: { phase: 'connect', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' },
  };
}

function reportOf(url: string, samples: Sample[]): ProbeReportView {
  const percentiles = summarize(samples);
  const shown = samples.find((s) => s.error || (s.status ?? 0) >= 500) ?? samples[0];
  const hop = explainHop(shown.http ? { status: shown.http.status, headers: shown.http.headers, body: shown.http.bodySnippet } : undefined);
  return { url, status: shown.status ?? null, phases: shown.phases, samples, percentiles, hop, verdict: decideVerdict({ samples, percentiles, hop }) };
}

const render = (input: ProbeHtmlInput) => probeHtml(input);
const count = (s: string, needle: string | RegExp) => (typeof needle === 'string' ? s.split(needle).length - 1 : (s.match(needle) ?? []).length);

describe('probe report HTML', () => {
  it('puts the verdict first, then the waterfall with one row per phase and the hop chain', () => {
    const html = render({ report: reportOf('http://127.0.0.1:8080/', [nginx502(12), nginx502(20), nginx502(15)]) });
    const verdict = html.indexOf('id="verdict"');
    const timing = html.indexOf('<svg class="waterfall"');
    const hops = html.indexOf('<svg class="hop-chain"');
    assert.ok(verdict >= 0 && timing > verdict && hops > timing, 'verdict, then waterfall, then hop chain');
    assert.match(html, /Upstream down or refusing/);
    assert.match(html, /medium confidence/);
    assert.strictEqual(count(html, /<g class="phase phase-/g), 6, 'DNS, TCP, TLS, server, transfer, total');
    for (const label of ['DNS lookup', 'TCP connect', 'TLS handshake', 'Server processing (TTFB)', 'Content transfer', 'Total']) assert.ok(html.includes(label), label);
    // Bars are offset in time (the first failing sample, 12 ms): the server bar starts where DNS + TCP end, x = 200 + (0.5 / 12) * 440.
    assert.match(html, /<g class="phase phase-ttfb">\n?<text[^>]*>Server processing \(TTFB\)<\/text>\n?<rect class="bar" x="218\.3"/);
    assert.ok(html.includes('not used (http)'), 'the TLS row says why it is empty');
    assert.ok(html.includes('p50 · p95 · p99 over the samples'), 'several samples: percentiles shown');
    assert.match(html, /<g class="hop generated">[\s\S]*?nginx · 127\.0\.0\.1:8080/);
    assert.ok(html.includes('generated the response'));
  });

  it('one sample: no percentiles; a refused connect marks the TCP row failed and the hop that did not answer', () => {
    const r = reportOf('http://127.0.0.1:9/', [refused()]);
    assert.strictEqual(failedPhase(r.samples[0]), 'connect');
    const html = render({ report: r });
    assert.ok(!html.includes('p50'), 'no percentiles for one sample');
    assert.match(html, /<g class="phase phase-connect failed">/);
    assert.ok(html.includes('failed: ECONNREFUSED'));
    assert.match(html, /<g class="hop failed">/);
    assert.ok(html.includes('did not answer'));
    assert.ok(html.includes('No nginx config in this workspace serves'), 'empty state for the config section');
    assert.match(html, /<td class="sev-error">ECONNREFUSED<\/td>/, 'the sample table shows the error');
  });

  it('has the buttons the page script forwards, and nothing the CSP would block', () => {
    const html = render({ report: reportOf('http://127.0.0.1:8080/', [nginx502(5)]) });
    assert.match(html, /<button[^>]*data-command="again"/);
    assert.match(html, /<button[^>]*data-command="copyCurl"/);
    assert.ok(!/\sstyle=|<style|<script|\son[a-z]+=/i.test(html), 'no inline style, script or event handler');
  });

  it('escapes every value taken from the report', () => {
    const evil = '<script>alert("x")</script>';
    const r = reportOf('http://127.0.0.1:8080/', [nginx502(5)]);
    r.url = `http://127.0.0.1:8080/?q=${evil}`;
    r.verdict.evidence.push(evil);
    r.verdict.nextSteps.push(`it's ${evil}`);
    r.hop.evidence.push(evil);
    r.samples[0].redirects.push({ status: 302, from: 'http://a/', location: evil, followed: false, note: evil });
    const html = render({
      report: r,
      configLines: [evil],
      route: [{ kind: 'location', text: `location ${evil}`, file: '/x/app.conf', line: 3, character: 4, display: `conf.d/${evil}.conf` }],
      errorLog: { files: ['/logs/error.log'], lines: [{ file: '/logs/error.log', line: evil, message: evil }] },
    });
    assert.ok(!html.includes('<script'), 'no script tag survives');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(html.includes('it&#39;s'));
  });

  it('renders the config places as links, the error log, the proxy and the keep-alive measurement when present', () => {
    const r = reportOf('http://127.0.0.1:8080/', [nginx502(5)]);
    r.proxy = { url: 'http://proxy.corp:3128', source: 'option', bypassed: false };
    r.keepAlive = { target: '127.0.0.1:8080', idleTimeoutMs: 75000 };
    r.upstreamKeepAlive = { target: '127.0.0.1:3000', error: 'ECONNREFUSED' };
    const html = render({
      report: r,
      configLines: ['upstream directly: connect ECONNREFUSED'],
      route: [
        { kind: 'server', text: 'server', file: '/w/conf.d/shop.conf', line: 6, character: 0, display: 'conf.d/shop.conf' },
        { kind: 'proxy_pass', text: 'proxy_pass http://shop_app', file: '/w/conf.d/shop.conf', line: 11, character: 8, display: 'conf.d/shop.conf' },
        { kind: 'upstream', text: 'upstream shop_app', file: '/w/conf.d/shop.conf', line: 0, character: 0, display: 'conf.d/shop.conf' },
      ],
      errorLog: { files: ['/w/logs/error.log'], lines: [{ file: '/w/logs/error.log', line: '2024/01/01 [error] connect() failed (111: Connection refused)', cause: 'upstream-down' }] },
    });
    assert.match(html, /<a href="#" data-command="openConfig" data-arg="1">conf\.d\/shop\.conf:12<\/a>/);
    assert.ok(html.includes('upstream directly: connect ECONNREFUSED'));
    assert.ok(html.includes('connect() failed (111: Connection refused)'));
    assert.match(html, /Forward proxy[\s\S]*proxy\.corp:3128/, 'the forward proxy is a hop in the chain');
    assert.match(html, /Upstream<\/text>\n<text class="hop-name"[^>]*>upstream shop_app/, 'the upstream hop comes from the config');
    assert.ok(html.includes('closes an idle connection after <strong>75000 ms</strong>'));
    assert.ok(html.includes('could not be measured: ECONNREFUSED'));
  });

  it('an empty error log says so instead of leaving a blank section', () => {
    const html = render({ report: reportOf('http://127.0.0.1:8080/', [nginx502(5)]), errorLog: { files: ['/w/logs/error.log'], lines: [] } });
    assert.ok(html.includes('No lines were written to /w/logs/error.log during the probe.'));
  });
});

describe('probe: where the workspace config serves a URL', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-route-'));
    fs.mkdirSync(path.join(dir, 'conf.d'));
    fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp {\n    error_log logs/error.log;\n    include conf.d/*.conf;\n}\n');
    fs.writeFileSync(
      path.join(dir, 'conf.d', 'shop.conf'),
      ['upstream shop_app {', '    server 127.0.0.1:3000;', '}', 'server {', '    listen 127.0.0.1:8080;', '    location /api/ {', '        proxy_pass http://shop_app;', '    }', '    location / {', '        return 200;', '    }', '}', ''].join('\n'),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds server, location, proxy_pass, upstream and error_log with their lines', () => {
    const route = routeUrl('http://127.0.0.1:8080/api/cart', [path.join(dir, 'nginx.conf')], new SourceCache(new NodeFileHost()));
    assert.ok(route, 'the URL is served');
    const shop = path.join(dir, 'conf.d', 'shop.conf');
    assert.deepStrictEqual(
      route.places.map((p) => [p.kind, p.text, path.relative(dir, p.file), p.line + 1]),
      [
        ['server', 'server', path.relative(dir, shop), 4],
        ['location', 'location /api/', path.relative(dir, shop), 6],
        ['proxy_pass', 'proxy_pass http://shop_app', path.relative(dir, shop), 7],
        ['upstream', 'upstream shop_app', path.relative(dir, shop), 1],
        ['error_log', 'error_log logs/error.log', 'nginx.conf', 3],
      ],
    );
  });

  it('another port is not served', () => {
    assert.strictEqual(routeUrl('http://127.0.0.1:9999/', [path.join(dir, 'nginx.conf')], new SourceCache(new NodeFileHost())), undefined);
  });
});
