import type { Fix } from '../../../finding';
import { NginxRule, RuleContext, directiveText } from '../rule';
import type { ConfNode } from '../tree';
import { http11ByDefault } from '../version';
import { parseProxyTarget } from '../upstreamTarget';

export const upstreamKeepaliveWithoutHttp11: NginxRule = {
  id: 'nginx/upstream-keepalive-without-http11',
  cause: 'pool-exhaustion',
  severity: 'warning',
  title: 'Upstream `keepalive` used without `proxy_http_version 1.1` and an empty Connection header',
  appliesTo: ['keepalive'],
  check(ctx) {
    // Since 1.29.7 HTTP/1.1 and keep-alive to upstreams are the defaults.
    if (http11ByDefault(ctx.version)) return;
    const pools = new Map<string, ConfNode>();
    for (const k of ctx.nodes('keepalive')) if (k.parent?.d.name === 'upstream') pools.set((k.parent.d.args[0]?.value ?? '').toLowerCase(), k);
    for (const node of ctx.nodes('proxy_pass')) {
      const t = parseProxyTarget(node.d.args[0]?.value ?? '');
      const keepalive = t && !t.hasVariable && t.port === undefined ? pools.get(t.host.toLowerCase()) : undefined;
      if (!keepalive) continue;
      const version = ctx.effective(node.parent, 'proxy_http_version');
      const headers = ctx.effective(node.parent, 'proxy_set_header');
      const conn = headers.nodes.find((h) => h.d.args[0]?.value.toLowerCase() === 'connection');
      const httpOk = version.args[0] === '1.1';
      // A variable (the websocket `map`) is the user's own choice; `close` or the default is not.
      const value = conn?.d.args[1]?.value;
      const connOk = value !== undefined && (value === '' || value.includes('$') || value.toLowerCase() === 'keep-alive');
      if (httpOk && connOk) continue;
      const missing = [!httpOk && `proxy_http_version 1.1 (now ${version.args[0]}${version.source === 'default' ? ', the default' : ''})`, !connOk && 'proxy_set_header Connection ""'].filter(Boolean);
      ctx.report(
        node,
        `Upstream ${t!.host} keeps idle connections (\`keepalive ${keepalive.d.args[0]?.value ?? ''}\`), but this location lacks ${missing.join(' and ')} (nginx before 1.29.7 needs both${ctx.version ? '' : '; no version was given, so an older one is assumed'}), ` +
          'so every request opens and closes a connection. Sockets pile up in TIME_WAIT until the ephemeral ports run out: ' +
          '"connect() failed (99: Cannot assign requested address)" and 502.',
        { related: [{ node: keepalive, message: 'keep-alive pool declared here' }], fixes: fixFor(ctx, node, version.nodes[0], httpOk, headers.source, headers.nodes, conn, connOk) },
      );
    }
  },
};

function fixFor(ctx: RuleContext, pass: ConfNode, versionNode: ConfNode | undefined, httpOk: boolean, source: string, headers: ConfNode[], conn: ConfNode | undefined, connOk: boolean): Fix[] {
  if (hasUnexpandedInclude(ctx, pass)) return []; // it may hold proxy_set_header lines we cannot see
  const edits = [];
  const lines: string[] = [];
  const local = (n: ConfNode | undefined) => !!n && n.parent === pass.parent && n.d.file === pass.d.file;
  if (!httpOk) {
    if (local(versionNode)) edits.push(ctx.replaceArg(versionNode!, 0, '1.1'));
    else lines.push('proxy_http_version 1.1;');
  }
  if (!connOk) {
    if (local(conn) && conn!.d.args.length === 2) edits.push(ctx.replaceArg(conn!, 1, ''));
    else if (source === 'here') {
      if (conn) return []; // a Connection line in another file or shape: the user should edit it
      lines.push('proxy_set_header Connection "";');
    } else {
      // proxy_set_header is list-inherited: one line here drops the inherited ones, so copy them along.
      for (const h of headers) if (h !== conn) lines.push(directiveText(h, ctx.source(h)));
      lines.push('proxy_set_header Connection "";');
    }
  }
  if (lines.length) edits.push(ctx.insertAfter(pass, lines));
  return [{ title: 'Enable HTTP/1.1 keep-alive to the upstream', edits }];
}

/** An include in this block or any enclosing one whose file was not found: its contents are unknown. */
function hasUnexpandedInclude(ctx: RuleContext, node: ConfNode): boolean {
  for (let p = node.parent; ; p = p.parent) {
    const list = p ? p.children ?? [] : ctx.tree.nodes;
    if (list.some((c) => c.d.name === 'include' && !list.some((x) => x.via === c))) return true;
    if (!p) return false;
  }
}
