// A rule that throws is reported as an internal error at the top of the file, and the other rules of the
// same engine still run: nginx, HAProxy and the cross-layer engine alike.
import * as assert from 'assert';
import * as path from 'path';
import { MemoryFileHost, NodeFileHost } from '../../src/core/host';
import { lintPaths } from '../../src/core/lint';
import { lintHaproxyFile } from '../../src/core/configs/haproxy/lint';
import { haproxyRules } from '../../src/core/configs/haproxy/rules';
import { nginxRules } from '../../src/core/configs/nginx/rules';
import { topologyRules } from '../../src/core/topology/rules';
import { SourceCache, buildTree } from '../../src/core/configs/nginx/tree';
import { lintTree } from '../../src/core/configs/nginx/lint';
import { lintTopology } from '../../src/core/topology/lint';
import { readAppSide } from '../../src/core/topology/workspace';
import { repoRoot } from '../support/fixtures';

const boom = { id: 'test/boom', cause: 'none' as const, severity: 'error' as const, title: 'throws', appliesTo: [] as string[], check: () => { throw new Error('kaboom'); } };

describe('a rule that throws', () => {
  it('nginx: an info finding names it, the other rules still report', () => {
    const host = new MemoryFileHost(new Map([['/w/nginx.conf', 'events {}\nhttp { server { location / { proxy_buffer_size 1k; proxy_pass http://127.0.0.1:1; } } }\n']]));
    const tree = buildTree('/w/nginx.conf', new SourceCache(host));
    const f = lintTree(tree, { rules: [boom, ...nginxRules] });
    assert.ok(f.some((x) => x.ruleId === 'test/boom' && x.severity === 'info' && /internal error in rule test\/boom: kaboom/.test(x.message)));
    assert.ok(f.some((x) => x.ruleId === 'nginx/buffer-size-below-default'));
  });

  it('HAProxy: the same', () => {
    const host = new MemoryFileHost(new Map([['/w/haproxy.cfg', 'defaults\n  mode http\nfrontend fe\n  bind 127.0.0.1:8080\n  default_backend nope\n']]));
    const f = lintHaproxyFile('/w/haproxy.cfg', host, { haproxyRules: [boom, ...haproxyRules] });
    assert.ok(f.some((x) => x.ruleId === 'test/boom' && /kaboom/.test(x.message)));
    assert.ok(f.some((x) => x.ruleId === 'haproxy/unknown-backend'));
  });

  it('cross-layer: the same', () => {
    const dir = path.join(repoRoot, 'test', 'fixtures', 'topology', 'topology-read-timeout-below-app-timeout', 'fires');
    const host = new NodeFileHost();
    const cache = new SourceCache(host);
    const side = readAppSide(host, [path.join(dir, 'gunicorn.conf.py')]);
    const f = lintTopology([buildTree(path.join(dir, 'nginx.conf'), cache)], side.apps, side.texts, { rules: [boom, ...topologyRules] });
    assert.ok(f.some((x) => x.ruleId === 'test/boom' && /kaboom/.test(x.message)));
    assert.ok(f.some((x) => x.ruleId === 'topology/read-timeout-below-app-timeout'));
    assert.ok(lintPaths([dir], { host }).findings.every((x) => x.ruleId !== 'test/boom'), 'the shipped rules do not throw on their own fixtures');
  });
});
