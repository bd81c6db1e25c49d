// Mapping a URL to the workspace configs reads a site file inside the nginx.conf that includes it, so
// what the site inherits (its error_log) is known — whatever order the files were listed in.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mapUrlToConfig } from '../../src/core/probe/configMap';
import { SourceCache } from '../../src/core/configs/nginx/tree';
import { NodeFileHost } from '../../src/core/host';
import { routeUrl } from '../../src/core/configs/nginx/urlRoute';

describe('URL → config mapping uses the root configs first', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-map-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'conf.d'));
  fs.writeFileSync(path.join(dir, 'nginx.conf'), 'error_log logs/error.log info;\nevents {}\nhttp {\n    include conf.d/*.conf;\n}\n');
  // Port 9 (discard): nothing listens on loopback, so the direct upstream probe fails fast.
  fs.writeFileSync(path.join(dir, 'conf.d', 'shop.conf'), 'server {\n    listen 127.0.0.1:8080;\n    location / {\n        proxy_pass http://127.0.0.1:9;\n    }\n}\n');
  // The order a folder scan gives: conf.d/… sorts before nginx.conf.
  const files = [path.join(dir, 'conf.d', 'shop.conf'), path.join(dir, 'nginx.conf')];

  it('finds the error_log the site inherits from nginx.conf', async () => {
    const m = await mapUrlToConfig('http://127.0.0.1:8080/', files, { timeoutMs: 2000 });
    assert.strictEqual(m.errorLog, path.join(dir, 'logs', 'error.log'));
    assert.ok(m.lines.some((l) => l.startsWith('server block at shop.conf:1')), m.lines.join('\n'));
  });

  it('the editor’s clickable places come from the same tree (error_log line in nginx.conf)', () => {
    const route = routeUrl('http://127.0.0.1:8080/', files, new SourceCache(new NodeFileHost()));
    assert.ok(route, 'the URL is served by the config');
    assert.strictEqual(route.root, path.join(dir, 'nginx.conf'));
    const log = route.places.find((p) => p.kind === 'error_log');
    assert.ok(log, `an error_log place: ${JSON.stringify(route.places.map((p) => p.kind))}`);
    assert.strictEqual(log.file, path.join(dir, 'nginx.conf'));
    assert.strictEqual(log.line, 0);
  });
});
