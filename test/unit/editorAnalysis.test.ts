// The editor's helpers around the log core (src/core/logs/editorAnalysis.ts): the sliced analysis gives
// the same result as analyzeText and yields, stops when aborted; the diagnostic cap takes the first
// lines of every cause; binary, corrupt and unreadable files are named with a reason.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { analyzeText, LogFinding } from '../../src/core/logs/analyze';
import { analyzeLinesInSlices, binaryReason, firstFindingsPerCause, whyNotATextLog } from '../../src/core/logs/editorAnalysis';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'logs');

describe('sliced log analysis (open documents)', () => {
  for (const name of ['nginx-error', 'haproxy', 'apache-error']) {
    it(`${name}: the same result as analyzeText`, async () => {
      const file = path.join(fixtures, `${name}.log`);
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split(/\r?\n/);
      let yields = 0;
      const sliced = await analyzeLinesInSlices((i) => lines[i], lines.length, file, { sliceLines: 3, yieldNow: async () => void yields++ });
      const whole = analyzeText(text, file);
      assert.deepStrictEqual({ ...sliced, files: [] }, { ...whole, files: [] });
      assert.strictEqual(sliced.files[0].lines, whole.files[0].lines);
      assert.strictEqual(sliced.files[0].format, whole.files[0].format);
      assert.ok(yields >= Math.floor(whole.files[0].lines / 3) - 1, `yielded ${yields} times`);
    });
  }

  it('stops with the abort reason between slices', async () => {
    const controller = new AbortController();
    const lines = Array.from({ length: 1000 }, () => 'x');
    let reads = 0;
    await assert.rejects(
      analyzeLinesInSlices(
        (i) => {
          reads++;
          return lines[i];
        },
        lines.length,
        'f',
        { sliceLines: 10, signal: controller.signal, yieldNow: async () => controller.abort() },
      ),
      (err: Error) => err.name === 'AbortError',
    );
    // The sniff sample (50 lines), the last line and one slice of 10: far from all 1,000.
    assert.ok(reads <= 61, `stopped after the first slice (${reads} line reads)`);
  });
});

describe('which failure lines get a diagnostic', () => {
  const f = (line: number, cause: LogFinding['cause']): LogFinding => ({ file: 'a', line, cause, severity: 'error', message: '' });
  const findings = [f(1, 'dns'), f(2, 'dns'), f(3, 'dns'), f(4, 'tls'), f(5, 'dns'), f(6, 'routing'), f(7, 'tls')];

  it('round-robin over causes, in line order', () => {
    assert.deepStrictEqual(
      firstFindingsPerCause(findings, 4).map((x) => x.line),
      [1, 2, 4, 6],
    );
    assert.deepStrictEqual(
      firstFindingsPerCause(findings, 3).map((x) => x.cause).sort(),
      ['dns', 'routing', 'tls'],
      'every cause gets its first line before any gets a second',
    );
  });

  it('all when under the cap, none at 0', () => {
    assert.strictEqual(firstFindingsPerCause(findings, 100).length, findings.length);
    assert.deepStrictEqual(firstFindingsPerCause(findings, 0), []);
  });
});

describe('telling a text log from other files', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-textcheck-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('text logs, plain or gzip, pass', async () => {
    assert.strictEqual(await whyNotATextLog(path.join(fixtures, 'nginx-error.log')), undefined);
    const gz = path.join(dir, 'error.log.1.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(path.join(fixtures, 'nginx-error.log'))));
    assert.strictEqual(await whyNotATextLog(gz), undefined);
    const empty = path.join(dir, 'empty.log');
    fs.writeFileSync(empty, '');
    assert.strictEqual(await whyNotATextLog(empty), undefined);
    const colours = path.join(dir, 'colours.log');
    fs.writeFileSync(colours, '\x1b[31mERROR\x1b[0m upstream refused\n\tindented\r\n');
    assert.strictEqual(await whyNotATextLog(colours), undefined, 'ANSI colours and tabs are text');
  });

  it('binary data, gzip of binary, corrupt gzip, folders and missing files are named with a reason', async () => {
    const bin = path.join(dir, 'core.log');
    fs.writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]));
    assert.match((await whyNotATextLog(bin))!, /binary/);
    const gzBin = path.join(dir, 'img.gz');
    fs.writeFileSync(gzBin, zlib.gzipSync(Buffer.alloc(5000, 0)));
    assert.match((await whyNotATextLog(gzBin))!, /binary/);
    const corrupt = path.join(dir, 'bad.log.gz');
    fs.writeFileSync(corrupt, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(40, 0xab)]));
    assert.match((await whyNotATextLog(corrupt))!, /gzip|header|invalid/i);
    assert.match((await whyNotATextLog(dir))!, /folder/);
    assert.match((await whyNotATextLog(path.join(dir, 'missing.log')))!, /does not exist/);
  });

  it('random bytes are binary; UTF-8 text in other scripts is not', () => {
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    assert.ok(binaryReason(random));
    assert.strictEqual(binaryReason(Buffer.from('2024/01/15 [error] Verbindung verweigert — 接続が拒否されました\n', 'utf8')), undefined);
  });
});
