// What the editor shows when hovering a proxy's header or one of its `timeout` lines: every timeout in
// effect for that proxy, where each comes from (the section itself or the defaults it inherits from),
// and what HAProxy does when one is not set. Pure: the adapter converts positions and renders links.
import type { Position, Range } from '../../finding';
import { HaproxyConfig, PROXY_KINDS } from './config';
import { HaproxySection, parseHaproxy } from './parser';

export type TimeoutOrigin = { kind: 'here'; line: number } | { kind: 'defaults'; section: string; line: number } | { kind: 'unset'; meaning: string };

export interface TimeoutRow {
  name: string;
  value?: string;
  origin: TimeoutOrigin;
}

export interface HaproxyExplanation {
  /** The hovered word's range. */
  range: Range;
  /** `backend 'app'`, `defaults`, … */
  section: string;
  mode: TimeoutRow;
  timeouts: TimeoutRow[];
  /** The timeout the hover is on, when it is on a `timeout` line. */
  hovered?: string;
}

/** Unset: what HAProxy does instead (configuration manual, section 4.2, the `timeout` keywords). */
const FRONT = [
  ['client', '**not set: HAProxy never drops an idle client**'],
  ['http-request', '`timeout client` applies'],
  ['http-keep-alive', '`timeout http-request` applies, else `timeout client`'],
] as const;
const BACK = [
  ['connect', '**not set: a connect to a dead server never fails**'],
  ['server', '**not set: HAProxy waits for a server forever**'],
  ['queue', 'same as `timeout connect`'],
  ['tunnel', '`timeout client` / `timeout server` apply'],
  ['check', '`inter` (2s) for the whole check'],
] as const;

export function explainHaproxyAt(file: string, text: string, position: Position): HaproxyExplanation | undefined {
  const config = new HaproxyConfig(parseHaproxy(file, text), text);
  const offset = config.lines.offsetAt(position);
  for (const section of config.sections) {
    if (section.kind !== 'defaults' && !(PROXY_KINDS.has(section.kind) && section.name !== undefined)) continue;
    const header = section.header;
    if (header.line === position.line) {
      const w = header.words.slice(0, 2).find((x) => x.start <= offset && offset <= x.end);
      if (w) return explain(config, section, config.lines.range(w.start, w.end));
    }
    for (const l of section.lines) {
      if (l.line !== position.line || l.keyword !== 'timeout') continue;
      const w = l.words.slice(0, 2).find((x) => x.start <= offset && offset <= x.end);
      if (w) return { ...explain(config, section, config.lines.range(w.start, w.end)), hovered: l.words[1]?.value };
    }
  }
  return undefined;
}

function explain(config: HaproxyConfig, section: HaproxySection, range: Range): HaproxyExplanation {
  const row = (words: string[], meaning: string): TimeoutRow => {
    const e = config.effective(section, ...words);
    const name = words.join(' ');
    if (!e) return { name, origin: { kind: 'unset', meaning } };
    const value = e.line.words[words.length]?.value;
    const origin: TimeoutOrigin = e.inherited ? { kind: 'defaults', section: config.label(e.section), line: e.line.line } : { kind: 'here', line: e.line.line };
    return { name, value, origin };
  };
  const rows: TimeoutRow[] = [];
  const front = section.kind !== 'backend';
  const back = section.kind !== 'frontend';
  if (front) for (const [k, m] of FRONT) rows.push(row(['timeout', k], m));
  if (back) for (const [k, m] of BACK) rows.push(row(['timeout', k], m));
  return { range, section: config.label(section), mode: row(['mode'], '`tcp` (the default)'), timeouts: rows };
}

export interface HaproxyRenderOptions {
  /** A link to a line (0-based) of the hovered file. */
  link: (line: number) => string;
}

export function renderHaproxyHover(e: HaproxyExplanation, opts: HaproxyRenderOptions): string {
  const from = (r: TimeoutRow) =>
    r.origin.kind === 'here' ? `this section, ${opts.link(r.origin.line)}` : r.origin.kind === 'defaults' ? `${r.origin.section}, ${opts.link(r.origin.line)}` : r.origin.meaning;
  const out = [`**${e.section}** · mode ${e.mode.value ? '`' + e.mode.value + '`' : '`tcp`'} (${from(e.mode)})`, '', '| timeout | in effect | from |', '|---|---|---|'];
  for (const r of e.timeouts) {
    const name = r.name === `timeout ${e.hovered}` ? `**${r.name}**` : r.name;
    out.push(`| ${name} | ${r.value ? '`' + r.value + '`' : '—'} | ${from(r).replace(/\|/g, '\\|')} |`);
  }
  out.push('', '_A bare number is milliseconds; `0` means no timeout, like not setting it._');
  return out.join('\n');
}
