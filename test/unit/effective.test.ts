// Effective values: inheritance through http → server → location, and the upstream module's own
// directives (keepalive_timeout & co. inside upstream {}), which never inherit the client-side value.
import * as assert from 'assert';
import { MemoryFileHost } from '../../src/core/host';
import { SourceCache, buildTree } from '../../src/core/configs/nginx/tree';
import { RuleContext } from '../../src/core/configs/nginx/rule';

function contextOf(text: string): RuleContext {
  const file = '/ws/nginx.conf';
  const tree = buildTree(file, new SourceCache(new MemoryFileHost(new Map([[file, text]]))));
  return new RuleContext(tree, undefined);
}

describe('effective values', () => {
  const conf = [
    'events {}',
    'http {',
    '    keepalive_timeout 10s;',
    '    upstream plain { server 127.0.0.1:3000; keepalive 8; }',
    '    upstream tuned { server 127.0.0.1:3001; keepalive 8; keepalive_timeout 4s; }',
    '    server { listen 80; location / { proxy_pass http://plain; } }',
    '}',
    '',
  ].join('\n');
  const ctx = contextOf(conf);
  const upstream = (name: string) => ctx.nodes('upstream').find((u) => u.d.args[0]?.value === name)!;

  it('an upstream without keepalive_timeout gets the upstream default (60s), not the http-level client value', () => {
    const e = ctx.effective(upstream('plain'), 'keepalive_timeout');
    assert.strictEqual(e.source, 'default');
    assert.deepStrictEqual(e.args, ['60s']);
  });

  it('an upstream that sets it uses its own value', () => {
    const e = ctx.effective(upstream('tuned'), 'keepalive_timeout');
    assert.strictEqual(e.source, 'here');
    assert.deepStrictEqual(e.args, ['4s']);
  });

  it('server and location blocks still inherit the client keepalive_timeout from http', () => {
    const location = ctx.nodes('location')[0];
    const e = ctx.effective(location, 'keepalive_timeout');
    assert.strictEqual(e.source, 'inherited');
    assert.deepStrictEqual(e.args, ['10s']);
    const bare = contextOf('events {}\nhttp { server { listen 80; } }\n');
    assert.deepStrictEqual(bare.effective(bare.nodes('server')[0], 'keepalive_timeout').args, ['75s'], 'client default 75s');
  });
});
