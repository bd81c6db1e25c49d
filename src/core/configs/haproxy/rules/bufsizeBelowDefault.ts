import type { HaproxyRule } from '../rule';

const DEFAULT_BUFSIZE = 16384;
const DEFAULT_MAXREWRITE = 1024;

/**
 * `tune.bufsize` holds a whole request or response header block, minus the `tune.maxrewrite` reserve
 * (capped at half the buffer). The manual: a request larger than that gets 400, a response 502, and
 * HTTP/2 needs 16384 or more. The fix restores the default, which the manual advises not to change.
 */
export const bufsizeBelowDefault: HaproxyRule = {
  id: 'haproxy/bufsize-below-default',
  cause: 'buffer-limits',
  severity: 'warning',
  title: '`tune.bufsize` below the default 16384: larger response headers get 502 (`PH`)',
  appliesTo: ['global'],
  check(ctx) {
    const cfg = ctx.config;
    const line = cfg.global('tune.bufsize');
    const w = line?.words[1];
    if (!line || !w || w.env || !/^\d+$/.test(w.value)) return;
    const size = Number(w.value);
    if (size >= DEFAULT_BUFSIZE) return;
    const mr = cfg.global('tune.maxrewrite')?.words[1]?.value;
    const reserve = Math.min(mr && /^\d+$/.test(mr) ? Number(mr) : DEFAULT_MAXREWRITE, Math.floor(size / 2));
    ctx.report(
      line,
      `tune.bufsize ${size} leaves ${size - reserve} bytes for a whole header block (the rest is the tune.maxrewrite reserve): a response with larger headers (cookies, a JWT, a Content-Security-Policy) is answered 502 with termination state \`PH\`, a larger request 400 (\`PR\`), and HTTP/2 needs at least ${DEFAULT_BUFSIZE}.`,
      { start: w.start, end: w.end, fixes: [{ title: `Set tune.bufsize to the default ${DEFAULT_BUFSIZE}`, edits: [ctx.replaceWord(line, 1, String(DEFAULT_BUFSIZE))] }] },
    );
  },
};
