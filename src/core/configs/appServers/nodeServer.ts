// Node HTTP servers, where the settings are written literally in the source: `.listen(3000)`,
// `server.keepAliveTimeout = 65000`, `createServer({ keepAliveTimeout: 65000 })`. Node closes an idle
// keep-alive connection after keepAliveTimeout (5 s by default before Node 26, 65 s since); a proxy
// that keeps its pooled connection longer sends the next request into a socket Node is closing (502).
import { LineIndex } from '../../text';
import { AppServerConfig, wholeFileRange } from './model';

/** Node's default server.keepAliveTimeout: 5000 ms until Node 26 raised it to 65000 ms. */
export function nodeDefaultKeepAliveMs(major: number | undefined): number {
  return major !== undefined && major >= 26 ? 65000 : 5000;
}

export function isNodeServerFileName(base: string): boolean {
  return /^(server|app|index|main|www)\.(m?js|cjs|ts|mts)$/.test(base) || base === 'www';
}

export function looksLikeNodeServer(text: string): boolean {
  return /\.listen\s*\(/.test(text) && /\b(createServer|express\s*\(|fastify\s*\(|new\s+Koa\b|Hono\b|http\.Server)/.test(text);
}

/** A numeric literal or a product of them (`65 * 1000`, `65_000`). */
function numberExpr(s: string): number | undefined {
  const t = s.trim();
  if (!/^[\d_.\s*]+$/.test(t)) return undefined;
  let v = 1;
  for (const part of t.split('*')) {
    const p = part.trim().replace(/_/g, '');
    if (!/^\d+(\.\d+)?$/.test(p)) return undefined;
    v *= Number(p);
  }
  return v;
}

export function parseNodeServer(file: string, text: string, nodeMajor?: number): AppServerConfig | undefined {
  if (!looksLikeNodeServer(text)) return undefined;
  const lines = new LineIndex(text);
  const cfg: AppServerConfig = { kind: 'node', file, label: `Node server (${file.split(/[\\/]/).pop()})`, listeners: [], problems: [] };
  // .listen(PORT[, 'HOST']) with a literal port, or `process.env.PORT || 3000` (the literal is the fallback).
  const listenRe = /\.listen\s*\(\s*(?:process\.env\.\w+\s*(?:\|\||\?\?)\s*)?(\d{1,5})\b(?:\s*,\s*(['"`])([^'"`]*)\2)?/g;
  for (let m = listenRe.exec(text); m; m = listenRe.exec(text)) {
    const port = +m[1];
    if (port <= 0 || port > 65535) continue;
    const at = m.index + m[0].indexOf(m[1], m[0].indexOf('('));
    cfg.listeners.push({ protocol: 'http', port, host: m[3] || undefined, file, range: lines.range(at, at + m[1].length), isDefault: false, text: m[1] });
  }
  // The last literal assignment or option wins (`server.keepAliveTimeout = …` or `keepAliveTimeout: …`).
  const kaRe = /\bkeepAliveTimeout\s*(=(?!=)|:)\s*([\d_.\s*]+?)\s*(?=[;,}\n)])/g;
  let found: { ms: number; start: number; end: number; text: string } | undefined;
  for (let m = kaRe.exec(text); m; m = kaRe.exec(text)) {
    const v = numberExpr(m[2]);
    if (v === undefined) continue;
    const start = m.index + m[0].length - m[2].length;
    found = { ms: v, start, end: start + m[2].length, text: m[2] };
  }
  // keepAliveTimeout 0 turns the timeout off: Node then never closes an idle connection itself.
  if (found) cfg.idleKeepAlive = { file, range: lines.range(found.start, found.end), isDefault: false, text: found.text, ms: found.ms === 0 ? Number.POSITIVE_INFINITY : found.ms, setting: 'keepAliveTimeout' };
  else {
    const def = nodeDefaultKeepAliveMs(nodeMajor);
    cfg.idleKeepAlive = { file, range: cfg.listeners[0]?.range ?? wholeFileRange(lines), isDefault: true, text: `${def}${nodeMajor === undefined ? ' (Node before 26; no version known)' : ` (Node ${nodeMajor})`}`, ms: def, setting: 'keepAliveTimeout' };
  }
  return cfg.listeners.length ? cfg : undefined;
}
