// The finding model shared by config rules, probes and log classifiers. Plain data: the CLI prints it,
// the editor adapter converts it into Diagnostics and CodeActions.

/** The fixed cause taxonomy (DESIGN.md). Every finding, verdict and log line carries exactly one. */
export const CAUSE_IDS = [
  'upstream-down',
  'timeout-mismatch',
  'keepalive-race',
  'dns',
  'routing',
  'tls',
  'buffer-limits',
  'pool-exhaustion',
  'intermediary',
  'overload',
  'client-side',
  'observability',
  'none',
] as const;

export type CauseId = (typeof CAUSE_IDS)[number];

export const CAUSE_TITLES: Record<CauseId, string> = {
  'upstream-down': 'Upstream down or refusing',
  'timeout-mismatch': 'Timeout mismatch between layers',
  'keepalive-race': 'Keep-alive race',
  dns: 'DNS and name resolution',
  routing: 'Routing, rewrites and Host header',
  tls: 'TLS to the upstream',
  'buffer-limits': 'Buffers and size limits',
  'pool-exhaustion': 'Pools and workers exhausted',
  intermediary: 'CDN / WAF / load balancer in front',
  overload: 'Overload or maintenance',
  'client-side': 'Client-side path',
  observability: 'Observability gaps',
  none: 'Healthy',
};

export type Severity = 'error' | 'warning' | 'info';

/** Zero-based line and UTF-16 column, the same convention as VS Code and LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Related {
  file: string;
  range: Range;
  message: string;
}

export interface Finding {
  ruleId: string;
  cause: CauseId;
  severity: Severity;
  message: string;
  file: string;
  range: Range;
  related: Related[];
  fixes: Fix[];
}

/** What makes two findings the same one (a file reached from two roots reports it once). */
export function findingKey(f: Finding): string {
  return `${f.ruleId}\0${f.file}\0${f.range.start.line}:${f.range.start.character}\0${f.message}`;
}

export function isCauseId(value: string): value is CauseId {
  return (CAUSE_IDS as readonly string[]).includes(value);
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    comparePositions(a.range.start, b.range.start) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}

/** Docs live in the repository; the link is stamped in one place, never written into each rule. */
export const DOCS_BASE = 'https://github.com/gateway-doctor/gateway-doctor/blob/main/docs/rules/';

export function docsUrl(ruleId: string): string {
  return DOCS_BASE + ruleId.replace(/\//g, '-') + '.md';
}

export function docsFileName(ruleId: string): string {
  return ruleId.replace(/\//g, '-') + '.md';
}
