import type { NginxRule } from '../rule';
import { directiveText } from '../rule';
import type { ConfNode } from '../tree';

// Each header directive with the directive that makes a block proxy with it.
const FAMILIES = [
  { header: 'proxy_set_header', pass: 'proxy_pass' },
  { header: 'grpc_set_header', pass: 'grpc_pass' },
];
// The header directives are allowed in http, server and location only (not in if / limit_except).
const BLOCKS = new Set(['http', 'server', 'location']);

/** What the upstream loses, for the well-known headers; others are just named. */
function consequences(names: string[]): string {
  const n = new Set(names.map((x) => x.toLowerCase()));
  const out: string[] = [];
  if (n.has('host')) out.push("the upstream gets Host $proxy_host (its own name or address) instead of the site's, so virtual-host routing misses (404/502)");
  if (n.has('x-forwarded-proto')) out.push('apps take the request for plain http and build wrong redirects');
  if (n.has('x-forwarded-for') || n.has('x-real-ip')) out.push("apps see nginx's address instead of the client's");
  return out.length ? `: ${out.join('; ')}` : '';
}

export const proxySetHeaderDropsInherited: NginxRule = {
  id: 'nginx/proxy-set-header-drops-inherited',
  cause: 'routing',
  severity: 'warning',
  title: 'proxy_set_header in a block drops every proxy_set_header inherited from outer blocks',
  appliesTo: FAMILIES.map((f) => f.header),
  check(ctx) {
    for (const { header, pass } of FAMILIES) {
      const own = (block: ConfNode | undefined) => (block ? block.children ?? [] : ctx.tree.nodes).filter((c) => c.d.name === header);
      // Does a proxy_pass use this block's headers: here, or in an inner block with no header lines of its own?
      const proxies = (block: ConfNode): boolean =>
        (block.children ?? []).some((c) => c.d.name === pass || (c.children && BLOCKS.has(c.d.name) && own(c).length === 0 && proxies(c)));
      const seen = new Set<ConfNode>();
      for (const first of ctx.nodes(header)) {
        const block = first.parent;
        if (!block || seen.has(block) || !BLOCKS.has(block.d.name)) continue;
        seen.add(block);
        if (!proxies(block)) continue;
        let outer: ConfNode[] = [];
        for (let level = block.parent; outer.length === 0; level = level?.parent) {
          outer = own(level);
          if (!level) break;
        }
        const mine = own(block);
        const kept = new Set(mine.map((n) => n.d.args[0]?.value.toLowerCase()));
        const dropped = outer.filter((n) => n.d.args[0] && !kept.has(n.d.args[0].value.toLowerCase()));
        if (dropped.length === 0) continue;
        const where = outer[0].parent ? `the ${outer[0].parent.d.name} block` : 'the top level of the file';
        const names = [...new Set(dropped.map((n) => n.d.args[0].value))];
        // Insert in the file the block is written in, before the line (or include) that brings the first header in.
        let anchor = mine[0];
        while (anchor.via) anchor = anchor.via;
        ctx.report(
          mine[0],
          `This ${block.d.name} sets its own ${header} lines, and nginx inherits them only into blocks that set none, so ` +
            `${names.join(', ')} from ${where} ${names.length > 1 ? 'are' : 'is'} not sent from here${consequences(names)}.`,
          {
            related: dropped.map((n) => ({ node: n, message: `not inherited by the ${block.d.name} block` })),
            fixes: [{ title: `Repeat the ${dropped.length} inherited ${header} line${dropped.length > 1 ? 's' : ''} here`, edits: [ctx.insertBefore(anchor, dropped.map((n) => directiveText(n, ctx.source(n))))] }],
          },
        );
      }
    }
  },
};
