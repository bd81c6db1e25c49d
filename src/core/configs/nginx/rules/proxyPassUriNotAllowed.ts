import type { NginxRule } from '../rule';
import { parseProxyTarget } from '../upstreamTarget';
import { locationMatch } from '../locationMatch';

export const proxyPassUriNotAllowed: NginxRule = {
  id: 'nginx/proxy-pass-uri-not-allowed',
  cause: 'routing',
  severity: 'error',
  title: 'proxy_pass with a URI part where nginx -t rejects it (regex or named location, if, limit_except)',
  appliesTo: ['proxy_pass'],
  check(ctx) {
    for (const node of ctx.nodes('proxy_pass')) {
      const target = parseProxyTarget(node.d.args[0]?.value ?? '');
      // With variables in the value nginx accepts a URI part anywhere.
      if (!target?.uri || target.hasVariable || !node.parent) continue;
      const block = node.parent;
      const m = block.d.name === 'location' ? locationMatch(block) : undefined;
      const where =
        block.d.name === 'if' ? 'inside `if`'
        : block.d.name === 'limit_except' ? 'inside `limit_except`'
        : m?.kind === 'regex' ? `in a regex location (${m.path})`
        : m?.kind === 'named' ? `in a named location (${m.path})`
        : undefined;
      if (!where) continue;
      ctx.report(
        node,
        `proxy_pass has a URI part ('${target.uri}') ${where}, where there is no matched prefix for it to replace. nginx -t rejects the config ` +
          '("proxy_pass" cannot have URI part in location given by regular expression, or inside named location, or inside "if" statement, or inside "limit_except" block), ' +
          'so nginx cannot start or reload. Drop the URI part (the original URI is passed), or build it with `rewrite … break` or variables.',
        { related: [{ node: block, message: `the ${block.d.name} block` }] },
      );
    }
  },
};
