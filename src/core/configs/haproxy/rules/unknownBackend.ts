import type { HaproxyRule } from '../rule';
import { nearestName } from '../../../text';

/** `use_backend NAME` / `default_backend NAME` where no backend or listen section has that name. */
export const unknownBackend: HaproxyRule = {
  id: 'haproxy/unknown-backend',
  cause: 'routing',
  severity: 'error',
  title: '`use_backend` or `default_backend` names a backend that does not exist',
  appliesTo: ['use_backend', 'default_backend'],
  check(ctx) {
    const cfg = ctx.config;
    const names = cfg.backends().map((b) => b.name ?? '').filter(Boolean);
    const known = new Set(names);
    const selfContained = cfg.keywords.has('global');
    for (const section of cfg.sections) {
      if (section.kind !== 'frontend' && section.kind !== 'listen' && section.kind !== 'defaults') continue;
      for (const line of section.lines) {
        if (line.keyword !== 'use_backend' && line.keyword !== 'default_backend') continue;
        const w = line.words[1];
        // Names built at run time (`%[req.hdr(host)]`) or from the environment cannot be checked here.
        if (!w || w.env || w.value.includes('%[') || known.has(w.value)) continue;
        const near = nearestName(w.value, names);
        const consequence = 'so `haproxy -c` fails ("unable to find required ' + line.keyword + '") and HAProxy does not start or reload';
        if (near) {
          ctx.report(line, `No backend named '${w.value}' exists (did you mean '${near}'?), ${consequence}.`, {
            start: w.start,
            end: w.end,
            fixes: [{ title: `Use backend '${near}'`, edits: [ctx.replaceWord(line, 1, near)] }],
          });
        } else {
          ctx.report(
            line,
            selfContained
              ? `No backend or listen section named '${w.value}' exists, ${consequence}.`
              : `No backend named '${w.value}' in this file. Unless another file loaded with \`-f\` defines it, \`haproxy -c\` fails ("unable to find required ${line.keyword}").`,
            { start: w.start, end: w.end, severity: selfContained ? 'error' : 'warning' },
          );
        }
      }
    }
  },
};
