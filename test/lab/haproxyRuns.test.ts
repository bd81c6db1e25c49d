// A real HAProxy (Debian's) on loopback shows what three rules say it does: a backend without servers
// answers 503 with `<NOSRV>` and state `SC`; without `check` a dead server keeps getting its share of
// requests (503, `SC`), and after the quick fix (`check`) HAProxy marks it DOWN and every request succeeds;
// a 4096-byte tune.bufsize turns 3000 bytes of response headers into 502 `PH`, and the fix undoes it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { fixUntilStable, lintFile } from '../support/fixtures';
import { HAPROXY } from '../support/haproxy';
import { Listening, freePort, startListening } from '../support/probeLab';

/** One GET on 127.0.0.1; resolves with the status (0 on a socket error), bounded. */
function get(port: number, p: string, ms = 8000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: ms }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

/** Polls a file until `done(lines)` holds, bounded: HAProxy writes its log asynchronously to the responses. */
async function waitForLines(file: string, done: (lines: string[]) => boolean, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let lines: string[] = [];
  while (Date.now() < deadline) {
    lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
    if (done(lines)) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
  return lines;
}

type Running = Listening & { log: string };

async function startHaproxy(cfg: string, port: number, logName: string): Promise<Running> {
  const log = path.join(path.dirname(cfg), logName);
  const r = await startListening(HAPROXY!, ['-db', '-f', cfg], port, { log });
  return { ...r, log };
}

/** Ends the HAProxy this test started (its own process group), nothing else. */
function stop(r: Running | undefined): void {
  r?.stop();
}

describe('real HAProxy on 127.0.0.1: what the backend rules warn about', function () {
  this.timeout(60000);
  let dir: string;
  let origin: http.Server;
  let originPort: number;
  let deadPort: number;
  let port: number;
  let cfg: string;
  const running: Running[] = [];

  before(async function () {
    if (!HAPROXY) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-haproxy-run-'));
    origin = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originPort = (origin.address() as net.AddressInfo).port;
    deadPort = await freePort();
    port = await freePort();
    cfg = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(
      cfg,
      `global
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout client 5s
    timeout connect 1s
    timeout server 5s

frontend www
    bind 127.0.0.1:${port}
    use_backend empty if { path_beg /empty }
    default_backend app

backend empty

backend app
    balance roundrobin
    server live 127.0.0.1:${originPort}
    server dead 127.0.0.1:${deadPort}
`,
    );
  });
  after(() => {
    for (const r of running) stop(r);
    origin?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the config gets both findings', () => {
    assert.deepStrictEqual(
      lintFile(cfg).map((f) => `${f.range.start.line + 1} ${f.ruleId}`),
      ['17 haproxy/backend-without-servers', '21 haproxy/servers-without-check', '22 haproxy/servers-without-check'],
    );
  });

  it('as written: the empty backend answers 503 <NOSRV> SC, and the dead server gets its share (503 SC)', async () => {
    const r = await startHaproxy(cfg, port, 'before.log');
    running.push(r);
    assert.strictEqual(await get(port, '/empty/'), 503);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await get(port, `/n${i}`));
    assert.deepStrictEqual([...statuses].sort(), [200, 200, 503, 503], `round robin over a live and a dead server: ${statuses}`);
    const lines = await waitForLines(r.log, (ls) => ls.filter((l) => l.includes('"GET /')).length >= 5, 8000);
    assert.ok(lines.some((l) => l.includes('empty/<NOSRV>') && / 503 .* SC-- /.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('app/dead') && / 503 .* SC-- /.test(l)), lines.join('\n'));
    stop(r);
  });

  it('after the quick fix (`check`), HAProxy marks the dead server DOWN and every request succeeds', async () => {
    const { applied } = fixUntilStable(cfg);
    assert.strictEqual(applied, 2);
    const text = fs.readFileSync(cfg, 'utf8');
    assert.match(text, new RegExp(`server dead 127\\.0\\.0\\.1:${deadPort} check\\n`));
    const r = await startHaproxy(cfg, port, 'after.log');
    running.push(r);
    // A server fails its first check at start-up: DOWN at once (later it takes `fall` failures, 3 by default).
    const lines = await waitForLines(r.log, (ls) => ls.some((l) => /Server app\/dead is DOWN/.test(l)), 20000);
    assert.ok(lines.some((l) => /Server app\/dead is DOWN/.test(l)), `no DOWN line:\n${lines.join('\n')}`);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await get(port, `/m${i}`));
    assert.deepStrictEqual(statuses, [200, 200, 200, 200]);
    stop(r);
  });
});

describe('real HAProxy on 127.0.0.1: a small tune.bufsize', function () {
  this.timeout(60000);
  let dir: string;
  let origin: http.Server;
  const running: Running[] = [];

  before(async function () {
    if (!HAPROXY) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-haproxy-buf-'));
    // Answers with a response header of the size asked for in the path: /3000 sends 3000 bytes of X-Big.
    origin = http.createServer((req, res) => {
      res.setHeader('X-Big', 'b'.repeat(Number(req.url?.slice(1)) || 1));
      res.end('ok');
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  });
  after(() => {
    for (const r of running) stop(r);
    origin?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the fires fixture gives 502 PH for 3000 bytes of response headers, and 200 after the fix', async () => {
    const port = await freePort();
    const fixture = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'haproxy', 'haproxy-bufsize-below-default', 'fires.cfg'), 'utf8');
    const originPort = (origin.address() as net.AddressInfo).port;
    const cfg = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(cfg, fixture.replace('127.0.0.1:8080', `127.0.0.1:${port}`).replace('127.0.0.1:9001', `127.0.0.1:${originPort}`).replace('defaults\n', 'defaults\n    log global\n    option httplog\n'));
    assert.deepStrictEqual(lintFile(cfg).map((f) => f.ruleId), ['haproxy/bufsize-below-default']);
    let r = await startHaproxy(cfg, port, 'before.log');
    running.push(r);
    assert.deepStrictEqual([await get(port, '/2000'), await get(port, '/3000')], [200, 502]);
    const lines = await waitForLines(r.log, (ls) => ls.some((l) => l.includes('"GET /3000 ')), 8000);
    assert.ok(lines.some((l) => l.includes('"GET /3000 ') && / 502 .* PH-- /.test(l)), lines.join('\n'));
    stop(r);

    assert.strictEqual(fixUntilStable(cfg).applied, 1);
    assert.match(fs.readFileSync(cfg, 'utf8'), /tune\.bufsize 16384 {2}# expect/);
    r = await startHaproxy(cfg, port, 'after.log');
    running.push(r);
    assert.deepStrictEqual([await get(port, '/3000'), await get(port, '/12000')], [200, 200]);
    stop(r);
  });
});
