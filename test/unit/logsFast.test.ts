// The fast streaming path (range splitting, nginx classifyAt with its caches, files split into blocks on a
// worker thread) must give exactly what the straightforward path gives: each line decoded, cut out and
// handed to format.classify(), one after another. Checked on the documented-format fixtures and on
// generated files with every format, cut lines, binary garbage, a 5 MB line, CRLF and non-ASCII text.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeFiles, AnalyzeOptions, LogAggregator, LogAnalysis } from '../../src/core/logs/analyze';
import { formatById, LOG_FORMATS, mixedFormat, sniffFormat } from '../../src/core/logs/formats';
import { nginxError } from '../../src/core/logs/nginxError';
import { LogFormat } from '../../src/core/logs/types';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'logs');
const MAX = 64 * 1024;

/** The reference: the whole file as UTF-8, split on \n, CR dropped, capped, one classify() per line. */
function straightforward(file: string, options: AnalyzeOptions = {}): LogAnalysis {
  const max = options.maxLineLength ?? MAX;
  const lines = fs.readFileSync(file).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let truncated = 0;
  const cut = lines.map((raw) => {
    let l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l.length > max) {
      truncated++;
      l = l.slice(0, max);
      if (l.endsWith('\r')) l = l.slice(0, -1);
    }
    return l;
  });
  const format: LogFormat = (options.format && formatById(options.format)) || sniffFormat(cut.slice(0, 50)) || mixedFormat;
  const agg = new LogAggregator(options);
  cut.forEach((l, i) => {
    const ev = format.classify(l);
    if (ev) agg.add(file, i + 1, ev);
  });
  agg.result.files.push({ file, format: format.id, lines: cut.length, bytes: fs.statSync(file).size, gzip: false, truncatedLines: truncated });
  return agg.finish();
}

function assertSame(got: LogAnalysis, want: LogAnalysis, what: string): void {
  assert.strictEqual(got.events, want.events, `${what}: events`);
  assert.deepStrictEqual(got.byCause, want.byCause, `${what}: byCause`);
  assert.deepStrictEqual(Object.keys(got.byCause), Object.keys(want.byCause), `${what}: byCause order`);
  assert.deepStrictEqual(got.bySeverity, want.bySeverity, `${what}: bySeverity`);
  assert.deepStrictEqual(got.byUpstream, want.byUpstream, `${what}: byUpstream`);
  assert.deepStrictEqual(Object.keys(got.byUpstream), Object.keys(want.byUpstream), `${what}: byUpstream order`);
  assert.deepStrictEqual(got.perMinute, want.perMinute, `${what}: perMinute`);
  assert.deepStrictEqual(got.findings, want.findings, `${what}: findings`);
  assert.deepStrictEqual(got.files, want.files, `${what}: files`);
}

/** Deterministic pseudo-random numbers, so a failure can be reproduced. */
function rng(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

const NGINX_KERNELS = [
  (u: string) => `connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.1.1, server: a, request: "GET / HTTP/1.1", upstream: "${u}/x", host: "a"`,
  (u: string) => `upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.1.1.2, server: a, request: "GET /r HTTP/1.1", upstream: "${u}/r", host: "a"`,
  (u: string) => `upstream timed out (110: Connection timed out) while connecting to upstream, client: 10.1.1.2, server: a, request: "GET /r HTTP/1.1", upstream: "${u}"`,
  (u: string) => `upstream prematurely closed connection while reading upstream, client: 10.1.1.3, upstream: "${u}/p?q=1", host: "a"`,
  (u: string) => `recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 10.1.1.4, upstream: "${u}/api"`,
  (u: string) => `writev() failed (32: Broken pipe) while sending request to upstream, client: 10.1.1.4, upstream: "${u}/api"`,
  () => `connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 10.1.1.5, upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "a"`,
  () => `connect() to unix:/run/app.sock failed (13: Permission denied) while connecting to upstream, client: 10.1.1.5, upstream: "http://unix:/run/app.sock:/x"`,
  () => `no live upstreams while connecting to upstream, client: 10.1.1.6, upstream: "http://backend/api", host: "a"`,
  () => `upstream sent too big header while reading response header from upstream, client: 10.1.1.7, upstream: "backend-no-scheme/x"`,
  () => `host not found in upstream "app:8080" in /etc/nginx/conf.d/a.conf:3`,
  () => `app could not be resolved (3: Host not found), client: 10.1.1.8, server: a, request: "GET / HTTP/1.1", host: "a"`,
  () => `limiting requests, excess: 20.5 by zone "one", client: 10.1.1.9, server: a, request: "GET / HTTP/1.1", host: "a"`,
  () => `1024 worker_connections are not enough while connecting to upstream, client: 10.1.1.10, upstream: "http://10.0.0.9:80/"`,
  () => `SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure) while SSL handshaking to upstream, client: 10.1.1.11, upstream: "https://10.0.0.7:443/"`,
  () => `open() "/var/www/x/${'é'.repeat(3)}.png" failed (2: No such file or directory), client: 10.1.1.12, server: a, request: "GET /limiting HTTP/1.1", host: "a"`,
  () => `open() "/var/www/secret" failed (13: Permission denied), client: 10.1.1.12, server: a`,
  () => `client 10.1.1.13 closed keepalive connection`,
  () => `upstream: "http://10.0.0.1:80/" ${'no kernel client'}`,
  () => `*17 upstream prematurely closed connection while reading response header from upstream, client: 10.1.1.14, upstream: "http://10.0.0.2:80`,
  () => `connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.1.1, server: ü, upstream: "http://[::1]:8080/x", host: "ü"`,
];
const UPSTREAMS = ['http://10.0.3.1:8080', 'http://10.0.3.2:8080', 'http://app', 'https://api.example.com:443', 'http://10.0.3.1:80801', 'grpc://10.0.0.5:50051'];
const LEVELS = ['error', 'error', 'error', 'warn', 'crit', 'info', 'notice', 'debug'];

function nginxLine(r: () => number, t: number): string {
  const d = new Date(t);
  const p = (x: number) => String(x).padStart(2, '0');
  const ts = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const k = NGINX_KERNELS[Math.floor(r() * NGINX_KERNELS.length)](UPSTREAMS[Math.floor(r() * UPSTREAMS.length)]);
  const conn = r() < 0.8 ? `*${Math.floor(r() * 1e6)} ` : '';
  return `${ts} [${LEVELS[Math.floor(r() * LEVELS.length)]}] ${Math.floor(r() * 9000)}#${Math.floor(r() * 9)}: ${conn}${k}`;
}

/** Lines of every format from the fixtures, to mix in. */
function fixtureLines(): string[] {
  return fs
    .readdirSync(fixtures)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => fs.readFileSync(path.join(fixtures, f), 'utf8').split('\n'))
    .filter((l) => l !== '');
}

/** A log of `lines` lines, nginx for `nginxShare` of them, with the awkward cases mixed in. */
function generate(file: string, seed: number, lines: number, nginxShare: number, extras: { hugeLine?: boolean } = {}): void {
  const r = rng(seed);
  const others = fixtureLines();
  const parts: Buffer[] = [];
  let t = Date.UTC(2024, 0, 15, 23, 58, 0);
  for (let i = 0; i < lines; i++) {
    t += Math.floor(r() * 900);
    if (r() < 0.002) t += 86_400_000; // a day later, same clock time
    let line = r() < nginxShare ? nginxLine(r, t) : others[Math.floor(r() * others.length)];
    const x = r();
    if (x < 0.03) line = line.slice(0, Math.floor(r() * line.length)); // cut short
    else if (x < 0.05) line = line.slice(Math.floor(r() * line.length)); // cut at the front
    const eol = r() < 0.1 ? '\r\n' : '\n';
    parts.push(Buffer.from(line + eol, 'utf8'));
    if (r() < 0.003) {
      const junk = Buffer.alloc(Math.floor(r() * 3000));
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(r() * 256);
      parts.push(junk, Buffer.from('\n'));
    }
    if (extras.hugeLine && i === Math.floor(lines / 3)) parts.push(Buffer.from(nginxLine(r, t) + ' ' + 'x'.repeat(5 * 1024 * 1024) + '\r\n'));
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

describe('logs fast path = straightforward per-line classification', () => {
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-logsfast-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const name of fs.readdirSync(fixtures).filter((f) => f.endsWith('.log'))) {
    it(`fixture ${name}`, async () => {
      const file = path.join(fixtures, name);
      const want = straightforward(file);
      assertSame(await analyzeFiles([file], { parallel: false }), want, 'one pass');
      assertSame(await analyzeFiles([file], { parallel: false, chunkSize: 7 }), want, 'one pass, 7-byte chunks');
    });
  }

  it('nginx classifyAt(text, a, b) = classify(text.slice(a, b)) for every line, cut anywhere, inside other text', () => {
    const r = rng(7);
    const lines = [...fs.readFileSync(path.join(fixtures, 'nginx-error.log'), 'utf8').split('\n'), ...Array.from({ length: 400 }, (_, i) => nginxLine(r, Date.UTC(2024, 0, 1) + i * 1000))];
    let checked = 0;
    for (const line of lines) {
      for (let cut = 0; cut <= line.length; cut += 1 + Math.floor(line.length / 40)) {
        for (const piece of [line.slice(0, cut), line.slice(cut), line]) {
          // Text after the line that would complete a search if a bound were missed.
          const text = `x\n${piece}, client: upstream: "http://late:1/" upstream"\n`;
          assert.deepStrictEqual(nginxError.classifyAt!(text, 2, 2 + piece.length), nginxError.classify(piece), JSON.stringify(piece));
          checked++;
        }
      }
    }
    assert.ok(checked > 5000);
  });

  it('generated nginx log (cut lines, CRLF, garbage, non-ASCII, other formats mixed in), one pass and in blocks', async () => {
    const file = path.join(tmp, 'nginx-mixed.log');
    generate(file, 42, 30_000, 0.85);
    const want = straightforward(file);
    assert.strictEqual(want.files[0].format, 'nginx-error');
    assert.ok(want.events > 10_000 && Object.keys(want.byUpstream).length > 5 && Object.keys(want.perMinute).length > 50);
    assertSame(await analyzeFiles([file], { parallel: false }), want, 'one pass');
    assertSame(await analyzeFiles([file], { parallel: false, chunkSize: 4093 }), want, 'one pass, odd chunks');
    for (const blockBytes of [64 * 1024, 777_777]) {
      assertSame(await analyzeFiles([file], { parallelMinBytes: 0, parallelBlockBytes: blockBytes, chunkSize: 65_521 }), want, `blocks of ${blockBytes}`);
    }
  });

  it('generated log with every format and a 5 MB line, in blocks, with small caps', async () => {
    const file = path.join(tmp, 'all-formats.log');
    generate(file, 9, 20_000, 0.4, { hugeLine: true });
    const options: AnalyzeOptions = { maxFindingsPerCause: 7, maxLineLength: 4096 };
    const want = straightforward(file, options);
    assert.strictEqual(want.files[0].truncatedLines > 0, true);
    assertSame(await analyzeFiles([file], { ...options, parallel: false }), want, 'one pass');
    assertSame(await analyzeFiles([file], { ...options, parallelMinBytes: 0, parallelBlockBytes: 300_000 }), want, 'blocks');
    for (const f of LOG_FORMATS) {
      const forced = { ...options, format: f.id };
      assertSame(await analyzeFiles([file], { ...forced, parallelMinBytes: 0, parallelBlockBytes: 500_000 }), straightforward(file, forced), `blocks as ${f.id}`);
    }
  });

  it('more upstreams than kept: the split falls back to one pass and stays exact', async () => {
    const file = path.join(tmp, 'many-upstreams.log');
    const r = rng(3);
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) lines.push(nginxLine(r, Date.UTC(2024, 0, 1) + i * 10).replace(/upstream: "[^"]*"/, `upstream: "http://10.9.${i % 250}.${i % 97}:80/"`));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const options: AnalyzeOptions = { maxUpstreams: 40, maxMinutes: 3 };
    assertSame(await analyzeFiles([file], { ...options, parallelMinBytes: 0, parallelBlockBytes: 50_000 }), straightforward(file, options), 'capped');
  });

  it('several files, the big one in blocks, with progress up to its size and the same result', async () => {
    const big = path.join(tmp, 'big.log');
    generate(big, 11, 15_000, 0.9);
    const small = path.join(fixtures, 'haproxy.log');
    const seen: number[] = [];
    const got = await analyzeFiles([small, big], { parallelMinBytes: 100_000, parallelBlockBytes: 200_000, onProgress: (read, total) => total === fs.statSync(big).size && seen.push(read) });
    const want = await analyzeFiles([small, big], { parallel: false });
    assertSame(got, want, 'two files');
    assert.strictEqual(seen[seen.length - 1], fs.statSync(big).size);
  });

  it('cancels a split file through the AbortSignal', async () => {
    const big = path.join(tmp, 'cancel.log');
    generate(big, 12, 15_000, 0.9);
    const ac = new AbortController();
    await assert.rejects(
      analyzeFiles([big], { parallelMinBytes: 0, parallelBlockBytes: 100_000, chunkSize: 16 * 1024, signal: ac.signal, onProgress: () => ac.abort() }),
      (err: Error) => err.name === 'AbortError',
    );
  });
});
