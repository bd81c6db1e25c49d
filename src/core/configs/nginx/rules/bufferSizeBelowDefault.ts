import type { NginxRule } from '../rule';
import { PAGE_SIZE, formatSize, parseSize } from '../directives';

const NAMES = ['proxy_buffer_size', 'fastcgi_buffer_size', 'uwsgi_buffer_size', 'scgi_buffer_size', 'grpc_buffer_size'];

export const bufferSizeBelowDefault: NginxRule = {
  id: 'nginx/buffer-size-below-default',
  cause: 'buffer-limits',
  severity: 'warning',
  title: 'A *_buffer_size below one memory page (4k): larger upstream response headers give 502',
  appliesTo: NAMES,
  check(ctx) {
    for (const node of ctx.nodes(...NAMES)) {
      const value = node.d.args[0]?.value ?? '';
      const bytes = parseSize(value);
      if (bytes === undefined || bytes >= PAGE_SIZE) continue;
      ctx.report(
        node,
        `${node.d.name} ${value} holds the whole upstream response header, and ${formatSize(bytes)} is less than the default of one memory page (4k). ` +
          'A few cookies, a JWT or a Content-Security-Policy header no longer fit, and nginx answers 502 ' +
          '("upstream sent too big header while reading response header from upstream").',
        { fixes: [{ title: `Set ${node.d.name} to 4k (the default on x86-64)`, edits: [ctx.replaceArg(node, 0, '4k')] }] },
      );
    }
  },
};
