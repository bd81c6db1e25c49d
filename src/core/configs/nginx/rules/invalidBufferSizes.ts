import type { NginxDirective } from '../parser';
import type { Fix } from '../../../finding';
import type { NginxRule, RuleContext } from '../rule';
import { ConfNode, ancestors } from '../tree';
import { PAGE_SIZE, formatSize, parseSize } from '../directives';

// grpc has no *_buffers / *_busy_buffers_size: only these four run nginx's buffer checks.
const FAMILIES = ['proxy', 'fastcgi', 'uwsgi', 'scgi'];

interface Sizes {
  bufferSize: number;
  bufferSizeNode?: ConfNode;
  num: number;
  one: number;
  buffersNode?: ConfNode;
  busy?: number;
  busyNode?: ConfNode;
  tempWrite?: number;
  tempWriteNode?: ConfNode;
  maxTemp?: number;
  maxTempNode?: ConfNode;
}

/** The values nginx merges for one block (undefined when one is not a plain size, e.g. a typo). */
function sizesAt(ctx: RuleContext, block: ConfNode | undefined, fam: string): Sizes | undefined {
  const get = (suffix: string): { node?: ConfNode; args: string[] } => {
    const e = ctx.effective(block, `${fam}_${suffix}`);
    return e.nodes.length ? { node: e.nodes[e.nodes.length - 1], args: e.args } : { args: [] };
  };
  const bs = get('buffer_size');
  const bufs = get('buffers');
  const busy = get('busy_buffers_size');
  const tw = get('temp_file_write_size');
  const mt = get('max_temp_file_size');
  const s: Sizes = {
    bufferSize: bs.node ? parseSize(bs.args[0] ?? '') ?? NaN : PAGE_SIZE,
    bufferSizeNode: bs.node,
    num: bufs.node ? Number(/^\d+$/.test(bufs.args[0] ?? '') ? bufs.args[0] : NaN) : 8,
    one: bufs.node ? parseSize(bufs.args[1] ?? '') ?? NaN : PAGE_SIZE,
    buffersNode: bufs.node,
    busy: busy.node ? parseSize(busy.args[0] ?? '') ?? NaN : undefined,
    busyNode: busy.node,
    tempWrite: tw.node ? parseSize(tw.args[0] ?? '') ?? NaN : undefined,
    tempWriteNode: tw.node,
    maxTemp: mt.node ? parseSize(mt.args[0] ?? '') ?? NaN : undefined,
    maxTempNode: mt.node,
  };
  return [s.bufferSize, s.num, s.one, s.busy ?? 0, s.tempWrite ?? 0, s.maxTemp ?? 0].some(Number.isNaN) ? undefined : s;
}

/** max(buffer_size, one of buffers): the unit every nginx check compares against. */
const unit = (s: Sizes) => Math.max(s.bufferSize, s.one);
const unitNode = (s: Sizes) => (s.bufferSize > s.one ? s.bufferSizeNode ?? s.buffersNode : s.buffersNode ?? s.bufferSizeNode);
const busyOk = (s: Sizes, busy: number) => busy >= unit(s) && busy <= (s.num - 1) * s.one;

/** Blocks nginx merges and checks: every server and location (if, limit_except are locations too). */
function checkedBlocks(ctx: RuleContext): Array<ConfNode | undefined> {
  const out: Array<ConfNode | undefined> = ['server', 'location'].includes(ctx.tree.rootContext) ? [undefined] : [];
  for (const n of ctx.nodes('server', 'location', 'if', 'limit_except')) if (n.children && ctx.contextOf(n) !== 'other') out.push(n);
  return out;
}

const within = (block: ConfNode | undefined, level: ConfNode | undefined) => level === undefined || block === level || (!!block && ancestors(block).includes(level));

export const invalidBufferSizes: NginxRule = {
  id: 'nginx/invalid-buffer-sizes',
  cause: 'buffer-limits',
  severity: 'error',
  title: 'Buffer sizes that `nginx -t` rejects (busy buffers, temp file sizes, buffer count)',
  appliesTo: FAMILIES.flatMap((f) => ['buffer_size', 'buffers', 'busy_buffers_size', 'temp_file_write_size', 'max_temp_file_size'].map((s) => `${f}_${s}`)),
  check(ctx) {
    const blocks = checkedBlocks(ctx);
    const seen = new Set<string>();
    const once = (d: NginxDirective, check: string) => !seen.has(check + '\0' + d.file + '\0' + d.start) && !!seen.add(check + '\0' + d.file + '\0' + d.start);

    // Sets `*_busy_buffers_size` to the smallest valid value at the culprit's level, only if that makes the
    // block the finding is about valid and leaves the level and every block inheriting the new value valid.
    const busyFix = (fam: string, culprit: ConfNode, reportedFor: ConfNode | undefined): Fix[] => {
      const level = culprit.parent;
      const s = sizesAt(ctx, level, fam);
      if (!s || s.num < 2 || (s.tempWrite !== undefined && s.tempWrite < unit(s)) || (s.maxTemp && s.maxTemp < unit(s))) return [];
      const value = unit(s);
      const replaced = s.busyNode && s.busyNode.parent === level ? s.busyNode : undefined;
      // Blocks that would inherit the new value must not turn invalid (already invalid ones have their own finding).
      if (!within(reportedFor, level)) return [];
      for (const b of blocks) {
        if (!within(b, level)) continue;
        const bs = sizesAt(ctx, b, fam);
        if (!bs) return [];
        const keepsOwn = bs.busyNode && bs.busyNode.parent !== level && within(bs.busyNode.parent, level);
        if (b === reportedFor && (keepsOwn || !busyOk(bs, value))) return [];
        if (!keepsOwn && busyOk(bs, bs.busy ?? 2 * unit(bs)) && !busyOk(bs, value)) return [];
      }
      if (!busyOk(s, value)) return [];
      const line = `${fam}_busy_buffers_size ${formatSize(value)}`;
      return [{ title: `Set \`${line};\` (the larger of ${fam}_buffer_size and one of ${fam}_buffers)`, edits: [replaced ? ctx.replaceArg(replaced, 0, formatSize(value)) : ctx.insertAfter(culprit, [line + ';'])] }];
    };

    for (const fam of FAMILIES) {
      for (const block of blocks) {
        const s = sizesAt(ctx, block, fam);
        if (!s) continue;
        const u = unit(s);
        const un = unitNode(s);
        const maxText = `max(${fam}_buffer_size ${formatSize(s.bufferSize)}, one of ${fam}_buffers ${formatSize(s.one)})`;
        const sizeText = `${maxText} = ${formatSize(u)}`;
        const rel = (n: ConfNode | undefined, message: string) => (n ? [{ node: n, message }] : []);
        const rejected = (nginxSays: string) => `nginx -t rejects this, so nginx cannot start or reload: ${nginxSays}.`;
        const atLeastUnit = `must be equal to or greater than the maximum of the value of "${fam}_buffer_size" and one of the "${fam}_buffers"`;

        if (s.num < 2 && s.buffersNode && once(s.buffersNode.d, 'num')) {
          ctx.report(s.buffersNode, `${fam}_buffers needs at least 2 buffers. ${rejected(`there must be at least 2 "${fam}_buffers"`)}`);
        }
        const busy = s.busy ?? 2 * u;
        const limit = (s.num - 1) * s.one;
        if (s.busyNode && busy < u && once(s.busyNode.d, 'min')) {
          ctx.report(
            s.busyNode,
            `${fam}_busy_buffers_size ${formatSize(busy)} is smaller than ${sizeText}. ` + rejected(`"${fam}_busy_buffers_size" ${atLeastUnit}`),
            { related: rel(un, 'sets the larger size'), fixes: busyFix(fam, s.busyNode, block) },
          );
        }
        if (s.num >= 2 && busy > limit) {
          const culprit = s.busyNode ?? (un === s.buffersNode ? s.buffersNode : un);
          if (culprit && once(culprit.d, 'max')) {
            const why = s.busyNode
              ? `${fam}_busy_buffers_size ${formatSize(busy)} is`
              : `${culprit.d.name} ${culprit.d.args.map((a) => a.value).join(' ')} makes the default ${fam}_busy_buffers_size 2 × ${maxText} = ${formatSize(busy)},`;
            const other = culprit === s.buffersNode ? s.bufferSizeNode : s.buffersNode;
            ctx.report(
              culprit,
              `${why} more than all ${fam}_buffers but one (${s.num - 1} × ${formatSize(s.one)} = ${formatSize(limit)}${s.buffersNode ? '' : `, from the default ${fam}_buffers 8 4k`}). ` +
                rejected(`"${fam}_busy_buffers_size" must be less than the size of all "${fam}_buffers" minus one buffer`),
              { related: rel(other && other !== culprit ? other : undefined, `${other?.d.name} set here`), fixes: busyFix(fam, culprit, block) },
            );
          }
        }
        if (s.tempWriteNode && s.tempWrite! < u && once(s.tempWriteNode.d, 'tw')) {
          ctx.report(s.tempWriteNode, `${fam}_temp_file_write_size ${formatSize(s.tempWrite!)} is smaller than ${sizeText}. ${rejected(`"${fam}_temp_file_write_size" ${atLeastUnit}`)}`, { related: rel(un, 'sets the larger size') });
        }
        if (s.maxTempNode && s.maxTemp! !== 0 && s.maxTemp! < u && once(s.maxTempNode.d, 'mt')) {
          ctx.report(s.maxTempNode, `${fam}_max_temp_file_size ${formatSize(s.maxTemp!)} must be 0 (no temp files) or at least ${sizeText}. ${rejected(`"${fam}_max_temp_file_size" must be equal to zero to disable temporary files usage or ${atLeastUnit}`)}`, { related: rel(un, 'sets the larger size') });
        }
      }
    }
  },
};
