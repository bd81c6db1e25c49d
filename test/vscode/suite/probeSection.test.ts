// The probe section of the Findings view on its own, with reports made in the test: the cases a live
// loopback probe does not produce (a TLS failure on https, redirects, several URLs, no config mapping).
import * as assert from 'assert';
import * as vscode from 'vscode';
import { ProbeResult, ProbeResults, ProbeSection, ProbeNode } from '../../../src/extension/probeSection';
import type { Sample } from '../../../src/core/probe/types';
import { summarize } from '../../../src/core/probe/sample';

function tlsFailure(): Sample {
  return {
    url: 'https://api.example.test/',
    phases: { dnsMs: 3, connectMs: 10, tlsMs: 25, ttfbMs: 0, totalMs: 38 },
    dns: { host: 'api.example.test', addresses: [{ address: '192.0.2.10', family: 4 }], cnames: [], source: 'dns' },
    connects: [{ address: '192.0.2.10', port: 443, ms: 10, ok: true }],
    tls: { servername: 'api.example.test', chain: [], problems: [], error: 'unable to verify the first certificate' },
    redirects: [],
    error: { phase: 'tls', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' },
  };
}

function redirected(): Sample {
  return {
    url: 'http://shop.example.test/',
    phases: { dnsMs: 1, connectMs: 2, tlsMs: 0, ttfbMs: 5, totalMs: 9 },
    connects: [{ address: '192.0.2.20', port: 80, ms: 2, ok: true }],
    status: 200,
    http: { status: 200, statusText: 'OK', headers: {}, headerBytes: 100, bodyBytes: 10, bodyTruncated: false, bodySnippet: 'ok' },
    redirects: [{ status: 301, from: 'http://shop.example.test/', location: 'http://shop.example.test/home', followed: true }],
  };
}

function result(url: string, samples: Sample[], cause: ProbeResult['report']['verdict']['cause']): ProbeResult {
  const s = samples[0];
  return {
    url,
    finishedAt: new Date(),
    configLines: [],
    request: { url },
    report: {
      url,
      status: s.status ?? null,
      phases: s.phases,
      samples,
      percentiles: summarize(samples),
      hop: s.http ? { generatedBy: 'origin', evidence: ['no proxy fingerprint'] } : { generatedBy: 'no-response', evidence: ['no HTTP response arrived'] },
      verdict: { cause, confidence: 'high', summary: `summary of ${url}`, evidence: ['seen this'], nextSteps: ['do that'] },
    },
  };
}

describe('Findings view: the probe section', () => {
  let results: ProbeResults;
  let section: ProbeSection;
  const label = (n: ProbeNode) => String(section.item(n).label);

  beforeEach(() => {
    results = new ProbeResults();
    section = new ProbeSection(results);
  });
  afterEach(() => results.dispose());

  it('one row per URL, newest first, re-probing moves a URL to the top', () => {
    results.add(result('https://api.example.test/', [tlsFailure()], 'tls'));
    results.add(result('http://shop.example.test/', [redirected()], 'none'));
    assert.deepStrictEqual(section.roots().map(label), ['http://shop.example.test/', 'https://api.example.test/']);
    results.add(result('https://api.example.test/', [tlsFailure()], 'tls'));
    assert.deepStrictEqual(section.roots().map(label), ['https://api.example.test/', 'http://shop.example.test/']);
    const [top, other] = section.roots().map((n) => section.item(n));
    assert.strictEqual(top.contextValue, 'probe');
    assert.strictEqual(top.collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'the newest is expanded');
    assert.strictEqual(other.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.strictEqual(top.description, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE · TLS to the upstream');
    assert.strictEqual(other.description, '200 · Healthy');
    assert.strictEqual((other.iconPath as vscode.ThemeIcon).id, 'pass');
  });

  it('an https failure: a TLS row marked failed, a single sample without percentiles, no config node', () => {
    results.add(result('https://api.example.test/', [tlsFailure()], 'tls'));
    const kids = section.children(section.roots()[0]);
    assert.deepStrictEqual(kids.map(label), ['DNS lookup', 'TCP connect', 'TLS handshake', 'Server processing (TTFB)', 'Total', 'No HTTP response', 'TLS to the upstream']);
    const tls = section.item(kids[2]);
    assert.strictEqual((tls.iconPath as vscode.ThemeIcon).id, 'error');
    assert.strictEqual(tls.contextValue, 'probe.phase.failed');
    assert.strictEqual(tls.description, 'failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE after 25.0 ms');
    assert.ok(!String(section.item(kids[4]).description).includes('p50'), 'one sample: no percentiles');
    const verdictKids = section.children(kids[6]).map((n) => section.item(n));
    assert.deepStrictEqual(verdictKids.map((i) => [i.label, i.description]), [['seen this', 'evidence'], ['do that', 'next step']]);
  });

  it('redirects are listed; Clear empties the section', () => {
    results.add(result('http://shop.example.test/', [redirected(), redirected()], 'none'));
    const kids = section.children(section.roots()[0]);
    const total = section.item(kids.find((n) => label(n) === 'Total')!);
    assert.match(String(total.description), /p50 9\.00 ms \/ p95 9\.00 ms \/ p99 9\.00 ms/);
    const redirects = kids.find((n) => label(n) === 'Redirects');
    assert.ok(redirects, 'a Redirects node');
    assert.deepStrictEqual(section.children(redirects).map(label), ['301 → http://shop.example.test/home']);
    let fired = 0;
    const sub = section.onDidChange(() => fired++);
    results.clear();
    sub.dispose();
    assert.strictEqual(section.roots().length, 0);
    assert.strictEqual(fired, 1, 'the tree is told to refresh');
  });
});
