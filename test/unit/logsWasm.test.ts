// The WebAssembly scanner for nginx error.logs (src/core/logs/wasm/nginxScan.c, built by esbuild.js into
// dist/nginxScan.wasm) must give exactly what the straightforward path gives: each line decoded, cut out
// and handed to classify(), one after another; the same cases as logsFast.test.ts (fixtures, cut lines,
// CRLF, binary garbage, non-ASCII, other formats mixed in, huge lines, caps, blocks on a worker thread,
// several files, cancel), plus what only the scanner has: lines longer than its buffer, reads that cut
// lines anywhere, full tables. Without the .wasm file (no clang at build time) those tests are skipped;
// the fallback to the JavaScript path is tested either way.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeFiles, AnalyzeOptions, LogAggregator, LogAnalysis } from '../../src/core/logs/analyze';
import { formatById, LOG_FORMATS, mixedFormat, sniffFormat } from '../../src/core/logs/formats';
import { LogFormat } from '../../src/core/logs/types';
import { setWasmFile, wasmAvailable, wasmStats } from '../../src/core/logs/wasmScan';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'logs');
const WASM = path.join(repoRoot, 'dist', 'nginxScan.wasm');
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
  for (const k of Object.keys(want.byUpstream)) assert.deepStrictEqual(Object.keys(got.byUpstream[k]), Object.keys(want.byUpstream[k]), `${what}: byUpstream[${k}] order`);
  assert.deepStrictEqual(got.perMinute, want.perMinute, `${what}: perMinute`);
  assert.deepStrictEqual(Object.keys(got.perMinute), Object.keys(want.perMinute), `${what}: perMinute order`);
  for (const k of Object.keys(want.perMinute)) assert.deepStrictEqual(Object.keys(got.perMinute[k]), Object.keys(want.perMinute[k]), `${what}: perMinute[${k}] order`);
  assert.deepStrictEqual(got.findings, want.findings, `${what}: findings`);
  assert.deepStrictEqual(got.files, want.files, `${what}: files`);
  // And the same text as JSON, key order included.
  assert.strictEqual(JSON.stringify(got), JSON.stringify(want), `${what}: JSON`);
}

/** analyzeFiles, checking that the scanner read `file` (or not, with expectWasm false). */
async function viaWasm(files: string[], options: AnalyzeOptions, expectWasm = true): Promise<LogAnalysis> {
  const before = wasmStats.blocks;
  const r = await analyzeFiles(files, options);
  if (expectWasm && !(options.parallel !== false && options.parallelMinBytes === 0)) assert.ok(wasmStats.blocks > before, 'the WebAssembly scanner was used');
  if (!expectWasm) assert.strictEqual(wasmStats.blocks, before, 'the WebAssembly scanner was not used');
  return r;
}

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
  () => `open() "/var/www/x.png" failed (2: No such file or directory), client: 10.1.1.12, server: a, request: "GET /x.png HTTP/1.1", host: "Too many open"`,
  () => `client 10.1.1.13 closed keepalive connection`,
  () => `upstream: "http://10.0.0.1:80/" ${'no kernel client'}`,
  () => `*17 upstream prematurely closed connection while reading response header from upstream, client: 10.1.1.14, upstream: "http://10.0.0.2:80`,
  () => `connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.1.1, server: ü, upstream: "http://[::1]:8080/x", host: "ü"`,
  () => `recv() failed (104: Connection reset by peer), client: 10.1.1.1, client: 10.1.1.2, upstream: "", upstream: "http://second/"`,
  () => `upstream timed out (110: Connection timed out) while reading upstream, client: 10.1.1.2, request: "GET /?upstream: \\"x HTTP/1.1", upstream: "http://10.0.3.1:8080`,
];
const UPSTREAMS = ['http://10.0.3.1:8080', 'http://10.0.3.2:8080', 'http://app', 'https://api.example.com:443', 'http://10.0.3.1:80801', 'grpc://10.0.0.5:50051', '(other)'];
const LEVELS = ['error', 'error', 'error', 'warn', 'crit', 'info', 'notice', 'debug'];

function nginxLine(r: () => number, t: number): string {
  const d = new Date(t);
  const p = (x: number) => String(x).padStart(2, '0');
  const ts = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const k = NGINX_KERNELS[Math.floor(r() * NGINX_KERNELS.length)](UPSTREAMS[Math.floor(r() * UPSTREAMS.length)]);
  const conn = r() < 0.8 ? `*${Math.floor(r() * 1e6)} ` : '';
  return `${ts} [${LEVELS[Math.floor(r() * LEVELS.length)]}] ${Math.floor(r() * 9000)}#${Math.floor(r() * 9)}: ${conn}${k}`;
}

function fixtureLines(): string[] {
  return fs
    .readdirSync(fixtures)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => fs.readFileSync(path.join(fixtures, f), 'utf8').split('\n'))
    .filter((l) => l !== '');
}

/** A log of `lines` lines, nginx for `nginxShare` of them, with the awkward cases mixed in. */
function generate(file: string, seed: number, lines: number, nginxShare: number, extras: { hugeLine?: number; noFinalNewline?: boolean } = {}): void {
  const r = rng(seed);
  const others = fixtureLines();
  const parts: Buffer[] = [];
  let t = Date.UTC(2024, 0, 15, 23, 58, 0);
  for (let i = 0; i < lines; i++) {
    t += Math.floor(r() * 900);
    if (r() < 0.002) t += 86_400_000;
    let line = r() < nginxShare ? nginxLine(r, t) : others[Math.floor(r() * others.length)];
    const x = r();
    if (x < 0.03) line = line.slice(0, Math.floor(r() * line.length));
    else if (x < 0.05) line = line.slice(Math.floor(r() * line.length));
    const eol = r() < 0.1 ? '\r\n' : r() < 0.01 ? '\r\r\n' : '\n';
    parts.push(Buffer.from(line + eol, 'utf8'));
    if (r() < 0.003) {
      const junk = Buffer.alloc(Math.floor(r() * 3000));
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(r() * 256);
      parts.push(junk, Buffer.from('\n'));
    }
    if (extras.hugeLine && i === Math.floor(lines / 3)) parts.push(Buffer.from(nginxLine(r, t) + ' ' + 'x'.repeat(extras.hugeLine) + '\r\n'));
  }
  if (extras.noFinalNewline) parts.push(Buffer.from(nginxLine(r, t)));
  fs.writeFileSync(file, Buffer.concat(parts));
}

describe('logs WebAssembly scanner = straightforward per-line classification', function () {
  let tmp: string;
  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-logswasm-'));
    setWasmFile(WASM);
    if (!wasmAvailable()) this.skip(); // no clang when dist/ was built: the JavaScript path is all there is
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const name of fs.readdirSync(fixtures).filter((f) => f.endsWith('.log'))) {
    it(`fixture ${name}, read as nginx-error`, async () => {
      const file = path.join(fixtures, name);
      const want = straightforward(file, { format: 'nginx-error' });
      assertSame(await viaWasm([file], { format: 'nginx-error', parallel: false }), want, 'one pass');
      assertSame(await viaWasm([file], { format: 'nginx-error', parallel: false, chunkSize: 7 }), want, '7-byte reads');
    });
  }

  it('generated nginx log (cut lines, CRLF, garbage, non-ASCII, other formats mixed in), one pass, odd reads and in blocks', async () => {
    const file = path.join(tmp, 'nginx-mixed.log');
    generate(file, 42, 30_000, 0.85, { noFinalNewline: true });
    const want = straightforward(file);
    assert.strictEqual(want.files[0].format, 'nginx-error');
    assert.ok(want.events > 10_000 && Object.keys(want.byUpstream).length > 5 && Object.keys(want.perMinute).length > 50);
    assertSame(await viaWasm([file], { parallel: false }), want, 'one pass');
    for (const chunkSize of [1, 13, 4093, 65_521]) assertSame(await viaWasm([file], { parallel: false, chunkSize }), want, `reads of ${chunkSize}`);
    for (const blockBytes of [64 * 1024, 777_777]) {
      assertSame(await viaWasm([file], { parallelMinBytes: 0, parallelBlockBytes: blockBytes, chunkSize: 65_521 }), want, `blocks of ${blockBytes}`);
    }
  });

  it('generated log with every format and a 5 MB line, in blocks, with small caps; and as each format', async () => {
    const file = path.join(tmp, 'all-formats.log');
    generate(file, 9, 20_000, 0.4, { hugeLine: 5 * 1024 * 1024 });
    const options: AnalyzeOptions = { maxFindingsPerCause: 7, maxLineLength: 4096, format: 'nginx-error' };
    const want = straightforward(file, options);
    assert.ok(want.files[0].truncatedLines > 0);
    assertSame(await viaWasm([file], { ...options, parallel: false }), want, 'one pass');
    assertSame(await viaWasm([file], { ...options, parallel: false, chunkSize: 1000 }), want, 'one pass, small reads');
    assertSame(await viaWasm([file], { ...options, parallelMinBytes: 0, parallelBlockBytes: 300_000 }), want, 'blocks');
    for (const f of LOG_FORMATS) {
      const forced = { ...options, format: f.id };
      assertSame(await viaWasm([file], { ...forced, parallelMinBytes: 0, parallelBlockBytes: 500_000 }, f.id === 'nginx-error'), straightforward(file, forced), `blocks as ${f.id}`);
    }
  });

  it('lines longer than the scanner buffer (9 MB, with and without CR, at the end of a block and of the file)', async () => {
    const file = path.join(tmp, 'huge.log');
    const r = rng(5);
    const head = Array.from({ length: 200 }, (_, i) => nginxLine(r, Date.UTC(2024, 0, 1) + i * 1000)).join('\n');
    const big = nginxLine(r, Date.UTC(2024, 0, 2)) + 'é'.repeat(5 * 1024 * 1024);
    fs.writeFileSync(file, `${head}\n${big}\r\n${head}\n${big}\n${head}\n${big}`);
    for (const maxLineLength of [undefined, 100, 2_000_000]) {
      const options: AnalyzeOptions = { maxLineLength, maxFindingsPerCause: 50 };
      const want = straightforward(file, options);
      assert.ok(want.files[0].truncatedLines >= 3);
      // A cap of 2,000,000 characters is more than the scanner keeps of a line: the JavaScript path reads it.
      const scanner = maxLineLength !== 2_000_000;
      assertSame(await viaWasm([file], { ...options, parallel: false }, scanner), want, `one pass, cap ${maxLineLength}`);
      assertSame(await viaWasm([file], { ...options, parallelMinBytes: 0, parallelBlockBytes: 5_000_000 }, scanner), want, `blocks, cap ${maxLineLength}`);
    }
  });

  it('more upstreams and minutes than kept: exact with the caps', async () => {
    const file = path.join(tmp, 'many-upstreams.log');
    const r = rng(3);
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) lines.push(nginxLine(r, Date.UTC(2024, 0, 1) + i * 10_000).replace(/upstream: "[^"]*"/, `upstream: "http://10.9.${i % 250}.${i % 97}:80/"`));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    for (const options of [{ maxUpstreams: 40, maxMinutes: 3 }, { maxUpstreams: 1, maxMinutes: 1, maxFindingsPerCause: 0 }, {}] as AnalyzeOptions[]) {
      const want = straightforward(file, options);
      assertSame(await viaWasm([file], { ...options, parallel: false }), want, `capped ${JSON.stringify(options)}`);
      assertSame(await viaWasm([file], { ...options, parallelMinBytes: 0, parallelBlockBytes: 50_000 }), want, `capped, blocks ${JSON.stringify(options)}`);
    }
  });

  it('more distinct kernels and upstreams than the scanner tables hold: the rest goes through classify()', async () => {
    const file = path.join(tmp, 'many-kernels.log');
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const ts = `2024/01/01 00:${String(Math.floor(i / 400) % 60).padStart(2, '0')}:00`;
      lines.push(`${ts} [error] 1#1: *${i} connect() to 10.${i >> 8}.${i & 255}.1:80 failed (111: Connection refused) while connecting to upstream, client: 1.1.1.1, upstream: "http://10.${i >> 8}.${i & 255}.1:${i}/"`);
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const options: AnalyzeOptions = { maxUpstreams: 100_000 };
    assertSame(await viaWasm([file], { ...options, parallel: false }), straightforward(file, options), 'full tables');
  });

  it('several files (nginx, HAProxy, nginx again), the big one in blocks, with progress up to its size', async () => {
    const big = path.join(tmp, 'big.log');
    generate(big, 11, 15_000, 0.9);
    const small = path.join(fixtures, 'haproxy.log');
    const other = path.join(tmp, 'other.log');
    generate(other, 12, 3000, 0.95);
    const seen: number[] = [];
    const got = await viaWasm([small, big, other], { parallelMinBytes: 100_000, parallelBlockBytes: 200_000, onProgress: (read, total) => total === fs.statSync(big).size && seen.push(read) });
    const want = await viaWasm([small, big, other], { parallel: false, wasm: false }, false);
    assertSame(got, want, 'three files');
    assert.strictEqual(seen[seen.length - 1], fs.statSync(big).size);
  });

  it('cancels through the AbortSignal', async () => {
    const big = path.join(tmp, 'cancel.log');
    generate(big, 12, 15_000, 0.9);
    const ac = new AbortController();
    await assert.rejects(
      analyzeFiles([big], { parallelMinBytes: 0, parallelBlockBytes: 100_000, chunkSize: 16 * 1024, signal: ac.signal, onProgress: () => ac.abort() }),
      (err: Error) => err.name === 'AbortError',
    );
    const ac2 = new AbortController();
    ac2.abort();
    await assert.rejects(analyzeFiles([big], { parallel: false, signal: ac2.signal }), (err: Error) => err.name === 'AbortError');
  });
});

describe('logs WebAssembly scanner: JavaScript fallback', () => {
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-logswasm-fb-'))));
  after(() => {
    setWasmFile(WASM);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const [what, content] of [
    ['missing', undefined],
    ['not WebAssembly', Buffer.from('this is not a wasm module')],
    ['truncated', fs.existsSync(WASM) ? fs.readFileSync(WASM).subarray(0, 100) : Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1])],
  ] as [string, Buffer | undefined][]) {
    it(`uses the JavaScript path when the .wasm is ${what}, with the same result`, async () => {
      const file = path.join(tmp, 'nginx.log');
      generate(file, 21, 5000, 0.9);
      const wasmFile = path.join(tmp, `scanner-${what.replace(/\W/g, '')}.wasm`);
      if (content) fs.writeFileSync(wasmFile, content);
      setWasmFile(wasmFile);
      assert.strictEqual(wasmAvailable(), false);
      const want = straightforward(file);
      assertSame(await viaWasm([file], { parallel: false }, false), want, 'one pass');
      assertSame(await viaWasm([file], { parallelMinBytes: 0, parallelBlockBytes: 100_000 }, false), want, 'blocks');
    });
  }
});

describe('logs WebAssembly scanner: one list of "other failure" patterns', () => {
  it('the C scanner prefilters exactly the alternatives of OTHER_FAILURES, in order, each with its length', () => {
    const { OTHER_FAILURES } = require('../../src/core/logs/nginxError') as typeof import('../../src/core/logs/nginxError');
    const c = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'src', 'core', 'logs', 'wasm', 'nginxScan.c'), 'utf8');
    const pats = [...c.matchAll(/^\s*\{"([^"]+)", (\d+), (\d+)\},/gm)].map((m) => ({ text: m[1], len: +m[2], off: +m[3] }));
    assert.deepStrictEqual(
      pats.map((p) => p.text),
      OTHER_FAILURES.source.split('|'),
    );
    for (const p of pats) {
      assert.strictEqual(p.len, p.text.length, `length of "${p.text}"`);
      assert.ok(p.off + 2 <= p.len, `the filter pair of "${p.text}" lies inside it`);
    }
    assert.match(c, new RegExp(`#define N_PATS ${pats.length}\\b`));
    const buckets = /PAT_BUCKET\[N_PATS\] = \{([^}]*)\}/.exec(c)?.[1].split(',').map((x) => +x.trim());
    assert.strictEqual(buckets?.length, pats.length, 'a bucket per pattern');
  });
});
