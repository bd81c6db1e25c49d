// Copy as curl: the probe's request as a POSIX shell command. The quoting is checked by a real shell
// (the arguments it hands to the program must be exactly ours), and one command is run by real curl
// against a loopback server, which must see the probe's headers and print the phase timings.
import * as assert from 'assert';
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import { CURL_PLACEHOLDER, curlCommand, shellQuote } from '../../src/core/probe/curl';

/** The argv a POSIX shell makes of `cmd` (its first word replaced by printf). */
function argvOf(cmd: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `set -- ${cmd.replace(/^curl /, '')}; printf '%s\\0' "$@"`]).toString('utf8');
  return out.split('\0').slice(0, -1);
}

describe('probe: copy as curl', () => {
  it('quotes every argument so the shell hands it over unchanged', () => {
    for (const s of [`it's`, 'a b', '$HOME', '`id`', '"q"', 'back\\slash', 'semi;colon', 'x&y|z', '*', 'new\nline', '']) {
      assert.deepStrictEqual(argvOf(`curl ${shellQuote(s)}`), [s], `round trip of ${JSON.stringify(s)}`);
    }
  });

  it('the plain request: GET, the probe\'s User-Agent, Connection: close, timings, the URL last', () => {
    const cmd = curlCommand({ url: 'http://127.0.0.1:8080/health?x=1', timeoutMs: 10000 });
    const argv = argvOf(cmd);
    assert.strictEqual(cmd.split(' ')[0], 'curl');
    assert.strictEqual(argv[argv.length - 1], 'http://127.0.0.1:8080/health?x=1');
    assert.deepStrictEqual(argv.slice(argv.indexOf('-A'), argv.indexOf('-A') + 2), ['-A', 'gateway-doctor/0.1']);
    assert.ok(argv.includes('Connection: close'));
    assert.deepStrictEqual(argv.slice(argv.indexOf('--max-time'), argv.indexOf('--max-time') + 2), ['--max-time', '10']);
    const w = argv[argv.indexOf('-w') + 1];
    for (const v of ['%{time_namelookup}', '%{time_connect}', '%{time_appconnect}', '%{time_starttransfer}', '%{time_total}', '%{http_code}']) assert.ok(w.includes(v), `-w has ${v}`);
    assert.ok(!argv.includes('-x') && !argv.includes('--noproxy') && !argv.includes('--resolve'), 'no proxy or resolve options when none were used');
  });

  it('secrets never appear: Authorization, Cookie, token query values, URL and proxy credentials', () => {
    const cmd = curlCommand({
      url: 'https://alice:s3cret@api.example.test/v1?access_token=tok123&page=2',
      headers: { Authorization: 'Bearer abc.def.ghi', Cookie: 'session=xyz789', 'X-Trace': 'keep-me' },
      proxy: 'http://bob:pw456@proxy.corp:3128',
    });
    for (const secret of ['s3cret', 'alice', 'tok123', 'abc.def.ghi', 'xyz789', 'pw456', 'bob']) assert.ok(!cmd.includes(secret), `${secret} leaked: ${cmd}`);
    const argv = argvOf(cmd);
    assert.ok(argv.includes(`Authorization: ${CURL_PLACEHOLDER}`));
    assert.ok(argv.includes(`Cookie: ${CURL_PLACEHOLDER}`));
    assert.ok(argv.includes('X-Trace: keep-me'), 'other headers are copied as sent');
    assert.strictEqual(argv[argv.length - 1], `https://${CURL_PLACEHOLDER}@api.example.test/v1?access_token=${CURL_PLACEHOLDER}&page=2`);
    assert.strictEqual(argv[argv.indexOf('-x') + 1], `http://${CURL_PLACEHOLDER}@proxy.corp:3128`);
  });

  it('--resolve, the proxy choice and redirects follow the probe', () => {
    const viaResolve = argvOf(curlCommand({ url: 'https://shop.example.test/', resolve: [{ host: 'shop.example.test', port: 443, addresses: ['10.0.0.5', '::1'] }] }));
    assert.strictEqual(viaResolve[viaResolve.indexOf('--resolve') + 1], 'shop.example.test:443:10.0.0.5,[::1]');
    const none = argvOf(curlCommand({ url: 'http://a.test/', proxy: null }));
    assert.strictEqual(none[none.indexOf('--noproxy') + 1], '*');
    const through = argvOf(curlCommand({ url: 'http://a.test/', proxy: 'http://proxy.corp:3128', noProxy: 'localhost,.internal' }));
    assert.strictEqual(through[through.indexOf('-x') + 1], 'http://proxy.corp:3128');
    assert.strictEqual(through[through.indexOf('--noproxy') + 1], 'localhost,.internal');
    const follow = argvOf(curlCommand({ url: 'http://a.test/', followRedirects: true, maxRedirects: 3 }));
    assert.deepStrictEqual(follow.slice(follow.indexOf('-L'), follow.indexOf('-L') + 3), ['-L', '--max-redirs', '3']);
    const v6 = argvOf(curlCommand({ url: 'http://[::1]:8080/' }));
    assert.ok(v6.includes('--globoff'), 'IPv6 literal brackets are not curl globs');
  });

  it('real curl runs the command: same headers at the server, the timings printed', async function () {
    if (!fs.existsSync('/usr/bin/curl')) this.skip();
    let seen: http.IncomingHttpHeaders | undefined;
    const server = http.createServer((req, res) => {
      seen = req.headers;
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const cmd = curlCommand({ url: `http://127.0.0.1:${port}/it's?token=abc`, headers: { 'X-Probe': 'yes' }, proxy: null, timeoutMs: 5000 });
      const out = await new Promise<string>((resolve, reject) => {
        execFile('/bin/sh', ['-c', cmd], (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
      assert.ok(seen, 'the server got the request');
      assert.strictEqual(seen!['user-agent'], 'gateway-doctor/0.1');
      assert.strictEqual(seen!['x-probe'], 'yes');
      assert.strictEqual(seen!.connection, 'close');
      assert.match(out, /status\s+502/);
      assert.match(out, /first byte\s+\d+\.\d+s/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
