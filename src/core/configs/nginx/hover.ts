// What the editor shows when hovering a directive name: the value in effect at that place, where it
// comes from (this line, an outer block in some file, or nginx's documented default for the version in
// use) and why it matters for 502s. Pure: the adapter only converts positions and renders links.
import type { Position, Range } from '../../finding';
import type { FileHost } from '../../host';
import { rootsIncluding } from '../../lint';
import { ConfNode, ConfTree, SourceCache, buildTree } from './tree';
import { RuleContext } from './rule';
import { directiveInfo } from './directives';
import { treeVersion } from './lint';
import { NginxVersion, formatVersion } from './version';

export interface HoverRequest {
  file: string;
  position: Position;
  /** Config files known in the workspace: the ones that include `file` give it its context. */
  candidates: string[];
  host: FileHost;
  nginxVersion?: string;
}

/** Where a value comes from. `line` is 0-based, like every position in the core. */
export type ValueOrigin =
  | { kind: 'this-line' }
  | { kind: 'same-block'; file: string; line: number }
  | { kind: 'inherited'; file: string; line: number }
  | { kind: 'default'; versionDependent: boolean }
  | { kind: 'unset' };

export interface ValueAt {
  name: string;
  /** Arguments as nginx sees them, or the documented default text; '' when unset. */
  value: string;
  origin: ValueOrigin;
  /** List directives (proxy_set_header …): how many entries the deciding level has. */
  entries?: number;
}

export interface DirectiveExplanation {
  name: string;
  /** The directive name's range in the hovered file. */
  range: Range;
  /** Enclosing blocks, outermost first: `http`, `server`, `location /api/` … */
  blocks: string[];
  why: string;
  /** The value that wins in this directive's block. */
  here: ValueAt;
  /** What would apply without this block's settings; absent for directives that are not inherited. */
  outer?: ValueAt;
  /** For `*_pass` directives: the settings that decide how that hop behaves, as in effect here. */
  hopSettings: ValueAt[];
  /** The root file the context was taken from, when it is not the hovered file itself. */
  root?: string;
  /** The include that brought this file into the root, when it was included. */
  includedFrom?: { file: string; line: number };
  version?: NginxVersion;
  /** The directive or one of the hop settings has a default that changed between nginx versions. */
  versionMatters: boolean;
  list: boolean;
}

const PASS_FAMILIES: Record<string, string> = { proxy_pass: 'proxy', fastcgi_pass: 'fastcgi', uwsgi_pass: 'uwsgi', scgi_pass: 'scgi', grpc_pass: 'grpc' };

/** The directive whose name is under `position`, explained in the outermost context that includes its file. */
export function explainDirectiveAt(req: HoverRequest): DirectiveExplanation | undefined {
  const cache = new SourceCache(req.host);
  const roots = rootsIncluding(req.file, req.candidates, cache);
  for (const root of roots) {
    const tree = buildTree(root, cache);
    const src = tree.files.get(req.file);
    if (!src) continue;
    const offset = src.lines.offsetAt(req.position);
    const node = nodeAt(tree.nodes, req.file, offset);
    if (!node) return undefined;
    return explainNode(tree, node, treeVersion(tree, req.nginxVersion), src.lines.range(node.d.start, node.d.nameEnd));
  }
  return undefined;
}

function nodeAt(list: ConfNode[], file: string, offset: number): ConfNode | undefined {
  for (const n of list) {
    if (n.d.file === file && offset >= n.d.start && offset <= n.d.nameEnd) return n;
    if (n.children) {
      const inner = nodeAt(n.children, file, offset);
      if (inner) return inner;
    }
  }
  return undefined;
}

function explainNode(tree: ConfTree, node: ConfNode, version: NginxVersion | undefined, range: Range): DirectiveExplanation | undefined {
  const name = node.d.name;
  const info = directiveInfo(name);
  if (!info) return undefined;
  const ctx = new RuleContext(tree, version);
  const lineOf = (n: ConfNode) => tree.files.get(n.d.file)!.lines.positionAt(n.d.start).line;

  // `outerLevel`: the block asked about is outside the hovered one, so whatever it sets is inherited.
  const valueAt = (block: ConfNode | undefined, directive: string, self?: ConfNode, outerLevel = false): ValueAt => {
    const eff = ctx.effective(block, directive);
    const dInfo = directiveInfo(directive);
    if (eff.source === 'default') return { name: directive, value: eff.defaultText ?? '', origin: { kind: 'default', versionDependent: typeof dInfo?.default === 'function' } };
    if (eff.source === 'unset') return { name: directive, value: '', origin: { kind: 'unset' } };
    const last = eff.nodes[0]; // the winning line, or the first entry of a list level
    const value = dInfo?.list ? eff.nodes.map((n) => n.d.args.map((a) => a.value).join(' ')).join('; ') : eff.args.join(' ');
    let origin: ValueOrigin;
    if (self && eff.nodes.includes(self)) origin = { kind: 'this-line' };
    else if (eff.source === 'here' && !outerLevel) origin = { kind: 'same-block', file: last.d.file, line: lineOf(last) };
    else origin = { kind: 'inherited', file: last.d.file, line: lineOf(last) };
    return { name: directive, value, origin, entries: dInfo?.list ? eff.nodes.length : undefined };
  };

  const here = valueAt(node.parent, name, node);
  // Without this block's own setting: the value one level out (the root's top level falls to the default).
  let outer: ValueAt | undefined;
  if (!info.notInherited) outer = node.parent ? valueAt(node.parent.parent, name, undefined, true) : defaultOnly(name, ctx);

  const hopSettings: ValueAt[] = [];
  const fam = PASS_FAMILIES[name];
  if (fam) {
    const names = [`${fam}_connect_timeout`, `${fam}_read_timeout`, `${fam}_send_timeout`, `${fam}_buffer_size`, `${fam}_next_upstream`];
    if (fam === 'proxy') {
      names.push('proxy_http_version');
      if (/^https:/i.test(node.d.args[0]?.value ?? '')) names.push('proxy_ssl_server_name', 'proxy_ssl_verify');
    }
    for (const n of names) if (directiveInfo(n)) hopSettings.push(valueAt(node.parent, n));
  }

  const blocks: string[] = [];
  for (let p = node.parent; p; p = p.parent) blocks.unshift([p.d.name, ...p.d.args.map((a) => a.value)].join(' '));
  if (blocks.length === 0 && tree.rootContext !== 'main') blocks.push(`(${tree.rootContext} context, by its contents)`);

  const viaRoot = rootIncludeOf(node);
  const versionMatters =
    typeof info.default === 'function' || hopSettings.some((h) => h.origin.kind === 'default' && h.origin.versionDependent);
  return {
    name,
    range,
    blocks,
    why: info.why,
    here,
    outer,
    hopSettings,
    root: tree.rootFile !== node.d.file ? tree.rootFile : undefined,
    includedFrom: viaRoot ? { file: viaRoot.d.file, line: lineOf(viaRoot) } : undefined,
    version,
    versionMatters,
    list: !!info.list,
  };
}

/** The documented default alone (what the root file's top level falls back to). */
function defaultOnly(name: string, ctx: RuleContext): ValueAt {
  const info = directiveInfo(name);
  const def = typeof info?.default === 'function' ? info.default(ctx.version) : info?.default;
  return def === undefined
    ? { name, value: '', origin: { kind: 'unset' } }
    : { name, value: def, origin: { kind: 'default', versionDependent: typeof info?.default === 'function' } };
}

/** The include nearest the hovered file that brought it in (the include line in the file that includes it). */
function rootIncludeOf(node: ConfNode): ConfNode | undefined {
  for (let n: ConfNode | undefined = node; n; n = n.parent) if (n.via && n.d.file === node.d.file) return n.via;
  return undefined;
}

// ---- rendering ----

export interface RenderOptions {
  /** A Markdown link (or plain text) for a place in a file; `line` is 0-based. */
  link(file: string, line: number): string;
  /** What to tell the user when no version is known, e.g. which setting sets it. */
  unknownVersionHint?: string;
}

/** Markdown for the hover: values in code spans, places as links. */
export function renderHoverMarkdown(e: DirectiveExplanation, opts: RenderOptions): string {
  const out: string[] = [];
  const where = e.blocks.length ? ' in ' + e.blocks.map(code).join(' › ') : '';
  out.push(`**${e.name}**${where}`);
  out.push('');
  out.push(`Effective here: ${describe(e.here, opts, e)}`);
  // Nothing to say about the outer level when it neither sets the directive nor has a default.
  if (e.outer && e.outer.origin.kind !== 'unset') out.push('', `Without this block's setting: ${describe(e.outer, opts, e)}`);
  if (e.list && e.here.origin.kind === 'this-line' && e.outer && e.outer.origin.kind === 'inherited') {
    const n = e.outer.entries ?? 1;
    out.push('', `Because this block sets \`${e.name}\`, the ${n} ${n === 1 ? 'entry' : 'entries'} inherited from ${opts.link(inheritedFile(e.outer), inheritedLine(e.outer))} are **not** used here.`);
  }
  if (e.hopSettings.length) {
    out.push('', '| setting | in effect here | from |', '|---|---|---|');
    for (const h of e.hopSettings) out.push(`| \`${h.name}\` | ${h.value ? code(h.value) : '—'} | ${origin(h.origin, opts, e).replace(/\|/g, '\\|')} |`);
  }
  out.push('', e.why);
  if (e.versionMatters) {
    out.push(
      '',
      e.version
        ? `_Defaults for nginx ${formatVersion(e.version)} (${e.version.source})._`
        : `_nginx version unknown: defaults are those before 1.29.7 (HTTP/1.0 to upstreams, no upstream keep-alive).${opts.unknownVersionHint ? ' ' + opts.unknownVersionHint : ''}_`,
    );
  }
  if (e.includedFrom) out.push('', `_Read as included from ${opts.link(e.includedFrom.file, e.includedFrom.line)}._`);
  return out.join('\n');
}

function inheritedFile(v: ValueAt): string {
  return v.origin.kind === 'inherited' ? v.origin.file : '';
}
function inheritedLine(v: ValueAt): number {
  return v.origin.kind === 'inherited' ? v.origin.line : 0;
}

function describe(v: ValueAt, opts: RenderOptions, e: DirectiveExplanation): string {
  if (v.origin.kind === 'unset') return 'not set (no default)';
  const count = v.entries && v.entries > 1 ? ` (${v.entries} entries)` : '';
  return `${code(v.value)}${count}: ${origin(v.origin, opts, e)}`;
}

function origin(o: ValueOrigin, opts: RenderOptions, e: DirectiveExplanation): string {
  switch (o.kind) {
    case 'this-line':
      return 'set on this line';
    case 'same-block':
      return `set later in the same block, at ${opts.link(o.file, o.line)} (the last one wins)`;
    case 'inherited':
      return `inherited from ${opts.link(o.file, o.line)}`;
    case 'default': {
      if (!o.versionDependent) return "nginx's documented default";
      return e.version ? `documented default for nginx ${formatVersion(e.version)}` : 'documented default before nginx 1.29.7';
    }
    case 'unset':
      return 'not set';
  }
}

/** A Markdown code span that survives backticks in the value. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return fence + pad + text + pad + fence;
}
