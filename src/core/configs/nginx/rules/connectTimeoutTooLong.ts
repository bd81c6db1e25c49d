import type { NginxRule } from '../rule';
import { enclosing } from '../tree';
import { parseTime } from '../directives';

const NAMES = ['proxy', 'fastcgi', 'uwsgi', 'scgi', 'grpc'].map((f) => `${f}_connect_timeout`);
const LIMIT_MS = 75_000;

export const connectTimeoutTooLong: NginxRule = {
  id: 'nginx/connect-timeout-too-long',
  cause: 'timeout-mismatch',
  severity: 'warning',
  title: '`*_connect_timeout` above 75 s: the connect cannot wait that long, and it is not the response timeout',
  appliesTo: NAMES,
  check(ctx) {
    for (const node of ctx.nodes(...NAMES)) {
      const ms = parseTime(node.d.args[0]?.value ?? '');
      // The stream module's proxy_connect_timeout carries no such note.
      if (ms === undefined || ms <= LIMIT_MS || enclosing(node, 'stream')) continue;
      const read = node.d.name.replace('connect', 'read');
      ctx.report(
        node,
        `${node.d.name} ${node.d.args[0].value} only pretends: nginx documents that it usually cannot exceed 75 s, because the ` +
          'operating system gives up on the TCP handshake first. A connect that slow means the upstream is unreachable, and waiting ' +
          `longer only delays the 502/504. To give a slow application more time to answer, raise \`${read}\` instead.`,
        { fixes: [{ title: `Set ${node.d.name} to 75s`, edits: [ctx.replaceArg(node, 0, '75s')] }] },
      );
    }
  },
};
