// The directive hover core: which value is in effect where the cursor is, and where it comes from.
import * as assert from 'assert';
import * as path from 'path';
import { MemoryFileHost } from '../../src/core/host';
import { explainDirectiveAt, renderHoverMarkdown, DirectiveExplanation } from '../../src/core/configs/nginx/hover';

const dir = path.resolve('/ws/nginx');
const main = path.join(dir, 'nginx.conf');
const site = path.join(dir, 'conf.d', 'app.conf');

const mainText = [
  'events {}',
  'http {',
  '    proxy_read_timeout 90s;',
  '    proxy_set_header Host $host;',
  '    proxy_set_header X-Real-IP $remote_addr;',
  '    include conf.d/*.conf;',
  '}',
  '',
].join('\n');

const siteText = [
  'server {',
  '    listen 80;',
  '    location /api/ {',
  '        proxy_pass https://api.example.com;',
  '        proxy_read_timeout 30s;',
  '        proxy_read_timeout 45s;',
  '        proxy_set_header X-Id 1;',
  '    }',
  '    location / {',
  '        proxy_read_timeout 10s;',
  '        proxy_http_version 1.1;',
  '    }',
  '}',
  '',
].join('\n');

function hostWith(files: Record<string, string>): MemoryFileHost {
  return new MemoryFileHost(new Map(Object.entries(files)));
}

/** Position of the first occurrence of `needle` on line `line` (0-based), plus `into` characters. */
function at(text: string, line: number, needle: string, into = 1) {
  return { line, character: text.split('\n')[line].indexOf(needle) + into };
}

function explain(file: string, text: string, line: number, needle: string, nginxVersion?: string, candidates = [main, site]): DirectiveExplanation | undefined {
  return explainDirectiveAt({ file, position: at(text, line, needle), candidates, host: hostWith({ [main]: mainText, [site]: siteText }), nginxVersion });
}

const link = (file: string, line: number) => `${path.basename(file)}:${line + 1}`;

describe('nginx directive hover', () => {
  it('names the value set on the hovered line and what it overrides (inherited from the includer)', () => {
    const e = explain(site, siteText, 9, 'proxy_read_timeout')!;
    assert.ok(e);
    assert.strictEqual(e.name, 'proxy_read_timeout');
    assert.deepStrictEqual(e.range, { start: { line: 9, character: 8 }, end: { line: 9, character: 26 } });
    assert.deepStrictEqual(e.here, { name: 'proxy_read_timeout', value: '10s', origin: { kind: 'this-line' }, entries: undefined });
    assert.deepStrictEqual(e.outer?.origin, { kind: 'inherited', file: main, line: 2 });
    assert.strictEqual(e.outer?.value, '90s');
    assert.deepStrictEqual(e.blocks, ['http', 'server', 'location /']);
    assert.deepStrictEqual(e.includedFrom, { file: main, line: 5 });
    assert.strictEqual(e.root, main);
  });

  it('says when a later line in the same block wins', () => {
    const e = explain(site, siteText, 4, 'proxy_read_timeout')!;
    assert.strictEqual(e.here.value, '45s');
    assert.deepStrictEqual(e.here.origin, { kind: 'same-block', file: site, line: 5 });
    const md = renderHoverMarkdown(e, { link });
    assert.match(md, /Effective here: `45s`: set later in the same block, at app\.conf:6 \(the last one wins\)/);
  });

  it('shows the hop settings in effect at a proxy_pass, with inherited values and version-aware defaults', () => {
    const e = explain(site, siteText, 3, 'proxy_pass')!;
    const byName = new Map(e.hopSettings.map((h) => [h.name, h]));
    assert.strictEqual(byName.get('proxy_read_timeout')?.value, '45s');
    assert.strictEqual(byName.get('proxy_connect_timeout')?.origin.kind, 'default');
    assert.strictEqual(byName.get('proxy_http_version')?.value, '1.0');
    assert.ok(byName.has('proxy_ssl_server_name'), 'https upstream: SNI setting listed');
    assert.strictEqual(e.outer, undefined, 'proxy_pass is not inherited');
    assert.ok(e.versionMatters);
    const md = renderHoverMarkdown(e, { link, unknownVersionHint: 'Set the version.' });
    assert.match(md, /\| `proxy_http_version` \| `1\.0` \| documented default before nginx 1\.29\.7 \|/);
    assert.match(md, /nginx version unknown.*Set the version\./);

    const v = explain(site, siteText, 3, 'proxy_pass', '1.29.7')!;
    assert.strictEqual(v.hopSettings.find((h) => h.name === 'proxy_http_version')?.value, '1.1');
    assert.match(renderHoverMarkdown(v, { link }), /Defaults for nginx 1\.29\.7 \(setting\)/);
  });

  it('explains that setting a list directive drops the inherited entries', () => {
    const e = explain(site, siteText, 6, 'proxy_set_header')!;
    assert.deepStrictEqual(e.here.origin, { kind: 'this-line' });
    assert.strictEqual(e.outer?.entries, 2);
    assert.match(renderHoverMarkdown(e, { link }), /the 2 entries inherited from nginx\.conf:4 are \*\*not\*\* used here/);
  });

  it('falls back to the documented default at the top level of a file nothing includes', () => {
    const text = 'proxy_buffer_size 16k;\n';
    const f = path.join('/ws/other', 'snippet.conf');
    const e = explainDirectiveAt({ file: f, position: { line: 0, character: 3 }, candidates: [f], host: hostWith({ [f]: text }) })!;
    assert.strictEqual(e.root, undefined);
    assert.deepStrictEqual(e.outer, { name: 'proxy_buffer_size', value: '4k|8k', origin: { kind: 'default', versionDependent: false } });
  });

  it('uses the unsaved text the host hands in, and stays quiet off a directive name or on unknown directives', () => {
    assert.strictEqual(explain(site, siteText, 9, '10s'), undefined, 'on an argument');
    assert.strictEqual(explain(site, siteText, 1, 'listen')?.name, 'listen');
    const f = path.join('/ws/other', 'x.conf');
    const host = hostWith({ [f]: 'server {\n    root /srv;\n}\n' });
    assert.strictEqual(explainDirectiveAt({ file: f, position: { line: 1, character: 5 }, candidates: [f], host }), undefined);
  });

  it('keeps backticks in values inside their code span', () => {
    const f = path.join('/ws/other', 'q.conf');
    const host = hostWith({ [f]: 'location / {\n    proxy_read_timeout "`x`";\n}\n' });
    const e = explainDirectiveAt({ file: f, position: { line: 1, character: 6 }, candidates: [f], host })!;
    assert.match(renderHoverMarkdown(e, { link }), /Effective here: `` `x` ``: set on this line/);
  });
});
