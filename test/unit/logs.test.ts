// Log classifiers over documented-format fixtures (test/fixtures/logs/<name>.log, with the expected cause
// per 1-based line in <name>.expect.json; every other line must stay quiet), plus the reader's limits:
// cut lines, binary garbage, huge lines, gzip, cancel, and the CLI's JSON contract.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { isCauseId } from '../../src/core/finding';
import { analyzeFiles, analyzeText } from '../../src/core/logs/analyze';
import { LOG_FORMATS, sniffFormat } from '../../src/core/logs/formats';
import { LineSplitter, readLines } from '../../src/core/logs/reader';
import { main } from '../../src/cli/main';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const dir = path.join(repoRoot, 'test', 'fixtures', 'logs');
const FORMAT_OF: Record<string, string> = {
  'nginx-error': 'nginx-error',
  haproxy: 'haproxy',
  'apache-error': 'apache-error',
  envoy: 'envoy',
  alb: 'alb',
  'app-servers': 'app-servers',
};

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gd-logs-'));
}

describe('log classifiers on documented formats', () => {
  for (const [name, formatId] of Object.entries(FORMAT_OF)) {
    const file = path.join(dir, `${name}.log`);
    const expected: Record<string, string> = JSON.parse(fs.readFileSync(path.join(dir, `${name}.expect.json`), 'utf8'));

    it(`${name}: sniffed as ${formatId}`, () => {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      assert.strictEqual(sniffFormat(lines)?.id, formatId);
    });

    it(`${name}: every marked line has its cause, all others stay quiet`, async () => {
      const a = await analyzeFiles([file]);
      const got = new Map(a.findings.map((f) => [String(f.line), f.cause]));
      const problems: string[] = [];
      for (const [line, cause] of Object.entries(expected)) if (got.get(line) !== cause) problems.push(`line ${line}: expected ${cause}, got ${got.get(line) ?? 'nothing'}`);
      for (const [line, cause] of got) if (!(line in expected)) problems.push(`line ${line}: unexpected ${cause}`);
      assert.deepStrictEqual(problems, []);
      assert.strictEqual(a.events, Object.keys(expected).length);
      for (const f of a.findings) {
        assert.ok(isCauseId(f.cause), f.cause);
        assert.ok(f.message.length > 40, `line ${f.line}: message too thin: ${f.message}`);
      }
    });

    it(`${name}: lines cut anywhere never throw`, () => {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      for (const line of lines) {
        for (let cut = 0; cut <= line.length; cut += 3) {
          for (const f of LOG_FORMATS) {
            f.classify(line.slice(0, cut));
            f.classify(line.slice(cut));
            f.detect(line.slice(0, cut));
          }
        }
      }
    });
  }

  it('nginx: times are normalised and upstreams cut to their address', async () => {
    const a = await analyzeFiles([path.join(dir, 'nginx-error.log')]);
    const refused = a.findings.find((f) => f.line === 3)!;
    assert.strictEqual(refused.time, '2024-01-15T10:23:45');
    assert.strictEqual(refused.upstream, 'http://127.0.0.1:8080');
    assert.ok(a.byUpstream['http://127.0.0.1:8080']);
    assert.deepStrictEqual(Object.keys(a.perMinute), ['2024-01-15T10:23', '2024-01-15T10:24']);
    const socket = a.findings.find((f) => f.line === 6)!;
    assert.match(socket.message, /\/run\/php\/php8\.2-fpm\.sock/);
  });

  it('counts every event but stores a bounded number per cause', async () => {
    const tmp = tmpDir();
    try {
      const line = fs.readFileSync(path.join(dir, 'nginx-error.log'), 'utf8').split('\n')[2];
      const f = path.join(tmp, 'many.log');
      fs.writeFileSync(f, (line + '\n').repeat(1000));
      const a = await analyzeFiles([f], { maxFindingsPerCause: 10 });
      assert.strictEqual(a.events, 1000);
      assert.strictEqual(a.byCause['upstream-down'], 1000);
      assert.strictEqual(a.findings.length, 10);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('analyzeText gives the same answer as the streaming reader', async () => {
    const file = path.join(dir, 'haproxy.log');
    const fromText = analyzeText(fs.readFileSync(file, 'utf8'), file);
    const fromFile = await analyzeFiles([file]);
    assert.deepStrictEqual(fromText.byCause, fromFile.byCause);
  });
});

describe('log reader limits', () => {
  let tmp: string;
  beforeEach(() => (tmp = tmpDir()));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('binary garbage is read without crashing and yields nothing', async () => {
    const f = path.join(tmp, 'garbage.log');
    let seed = 12345;
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    fs.writeFileSync(f, bytes);
    const a = await analyzeFiles([f]);
    assert.ok(a.files[0].lines > 0);
    assert.strictEqual(a.findings.filter((x) => x.severity === 'error').length, a.bySeverity.error);
  });

  it('a 40 MB line is cut, counted, and the next line still has its own number', async () => {
    const f = path.join(tmp, 'huge.log');
    const fd = fs.openSync(f, 'w');
    const block = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 40; i++) fs.writeSync(fd, block);
    fs.writeSync(fd, '\n' + fs.readFileSync(path.join(dir, 'nginx-error.log'), 'utf8').split('\n')[2] + '\n');
    fs.closeSync(fd);
    const before = process.memoryUsage().rss;
    const a = await analyzeFiles([f], { format: 'nginx-error', maxLineLength: 4096 });
    assert.strictEqual(a.files[0].lines, 2);
    assert.strictEqual(a.files[0].truncatedLines, 1);
    assert.deepStrictEqual(a.findings.map((x) => [x.line, x.cause]), [[2, 'upstream-down']]);
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'memory grew with the line length');
  });

  it('splits CRLF, keeps multi-byte characters across chunk borders, and ends without a newline', async () => {
    const f = path.join(tmp, 'utf8.log');
    fs.writeFileSync(f, 'é'.repeat(100) + '\r\nzweite Zeile ü\r\nlast');
    const lines: string[] = [];
    const stats = await readLines(f, (l) => lines.push(l), { chunkSize: 7 });
    assert.deepStrictEqual(lines, ['é'.repeat(100), 'zweite Zeile ü', 'last']);
    assert.strictEqual(stats.lines, 3);
  });

  it('LineSplitter caps a line that arrives in many pieces', () => {
    const got: string[] = [];
    const s = new LineSplitter((l) => got.push(l), 10);
    for (let i = 0; i < 100; i++) s.push('abcdefgh');
    s.push('\nok\n');
    s.end();
    assert.deepStrictEqual(got, ['abcdefghab', 'ok']);
    assert.strictEqual(s.truncatedLines, 1);
    assert.strictEqual(s.droppedChars, 790);
  });

  it('reads gzip-rotated logs (error.log.1.gz) and reports progress in file bytes', async () => {
    const src = path.join(dir, 'nginx-error.log');
    const gz = path.join(tmp, 'error.log.1.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(src)));
    let last = 0;
    const a = await analyzeFiles([gz], { onProgress: (read, total) => (last = read / total) });
    const plain = await analyzeFiles([src]);
    assert.deepStrictEqual(a.byCause, plain.byCause);
    assert.strictEqual(a.files[0].gzip, true);
    assert.strictEqual(last, 1);
  });

  it('cancels through an AbortSignal', async () => {
    const f = path.join(tmp, 'big.log');
    fs.writeFileSync(f, 'line\n'.repeat(2_000_000));
    const ac = new AbortController();
    await assert.rejects(
      analyzeFiles([f], { chunkSize: 64 * 1024, onProgress: () => ac.abort() , signal: ac.signal }),
      (err: Error) => err.name === 'AbortError',
    );
  });
});

describe('gateway-doctor logs (CLI)', () => {
  it('prints the DESIGN.md JSON contract with 1-based lines and cwd-relative paths; exit 1 on error findings', async () => {
    let out = '';
    const code = await main(['logs', 'test/fixtures/logs/nginx-error.log', '--format', 'json'], repoRoot, (s) => ((out += s), true));
    const json = JSON.parse(out);
    assert.deepStrictEqual(Object.keys(json), ['events', 'byCause', 'findings']);
    assert.strictEqual(code, 1);
    assert.deepStrictEqual(Object.keys(json.findings[0]), ['file', 'line', 'cause', 'severity', 'message']);
    assert.strictEqual(json.findings[0].file, path.join('test', 'fixtures', 'logs', 'nginx-error.log'));
    assert.strictEqual(json.findings[0].line, 3);
  });

  it('exit 0 when nothing is at error severity; text output has the summary', async () => {
    const tmp = tmpDir();
    try {
      const f = path.join(tmp, 'quiet.log');
      fs.writeFileSync(f, '2024/01/15 10:23:40 [notice] 1201#1201: start worker processes\n');
      let out = '';
      const code = await main(['logs', f], tmp, (s) => ((out += s), true));
      assert.strictEqual(code, 0);
      assert.match(out, /0 failure events in 1 line of 1 file \(quiet\.log: nginx-error\)/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a missing file is an I/O error with a one-line message', async () => {
    await assert.rejects(main(['logs', 'no/such.log'], repoRoot, () => true), (err: Error) => /no\/such\.log: no such file/.test(err.message) && !err.message.includes('\n'));
  });

  it('corrupt gzip is an I/O error naming the file', async () => {
    const tmp = tmpDir();
    try {
      const f = path.join(tmp, 'bad.log.gz');
      fs.writeFileSync(f, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(100, 7)]));
      await assert.rejects(main(['logs', f], tmp, () => true), (err: Error) => /bad\.log\.gz: /.test(err.message));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
