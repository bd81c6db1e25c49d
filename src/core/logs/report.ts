// Log analysis output: JSON exactly per DESIGN.md's contract, and text for people (findings, then the
// summary by cause, by upstream and over time).
import * as path from 'path';
import { CAUSE_TITLES, CauseId } from '../finding';
import { displayPath } from '../report/paths';
import { CauseCounts, LogAnalysis } from './analyze';

export function logsJson(a: LogAnalysis, cwd: string): object {
  // Findings share a handful of files: resolve each once (path work per finding was ~10 ms for 800).
  const paths = new Map<string, string>();
  const shown = (file: string) => {
    let p = paths.get(file);
    if (p === undefined) paths.set(file, (p = displayPath(path.resolve(cwd, file), cwd)));
    return p;
  };
  return {
    events: a.events,
    byCause: a.byCause,
    findings: a.findings.map((f) => ({ file: shown(f.file), line: f.line, cause: f.cause, severity: f.severity, message: f.message })),
  };
}

const total = (c: CauseCounts) => Object.values(c).reduce((s, n) => s + (n ?? 0), 0);
const causes = (c: CauseCounts) =>
  (Object.entries(c) as [CauseId, number][])
    .sort((x, y) => y[1] - x[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

export function logsText(a: LogAnalysis, cwd: string): string {
  let out = '';
  let lastFile = '';
  const shownPerCause = new Map<string, number>();
  for (const f of a.findings) {
    // Text is for reading: a handful per cause; JSON carries the stored set.
    const n = shownPerCause.get(f.cause) ?? 0;
    if (n >= 20) continue;
    shownPerCause.set(f.cause, n + 1);
    const file = displayPath(path.resolve(cwd, f.file), cwd);
    if (file !== lastFile) {
      out += `${lastFile ? '\n' : ''}${file}\n`;
      lastFile = file;
    }
    out += `  ${String(f.line).padStart(6)}  ${f.severity.padEnd(7)}  ${f.cause.padEnd(16)}  ${f.message}${f.code ? `  [${f.code}]` : ''}${f.upstream ? `  upstream ${f.upstream}` : ''}\n`;
  }
  const lines = a.files.reduce((s, f) => s + f.lines, 0);
  out += `${out ? '\n' : ''}${a.events} failure event${a.events === 1 ? '' : 's'} in ${lines} line${lines === 1 ? '' : 's'} of ${a.files.length} file${a.files.length === 1 ? '' : 's'} (${a.files.map((f) => `${displayPath(path.resolve(cwd, f.file), cwd)}: ${f.format}${f.gzip ? ', gzip' : ''}${f.truncatedLines ? `, ${f.truncatedLines} long lines cut` : ''}`).join('; ')}).\n`;
  if (a.events === 0) return out;
  out += '\nBy cause:\n';
  for (const [cause, n] of (Object.entries(a.byCause) as [CauseId, number][]).sort((x, y) => y[1] - x[1])) {
    out += `  ${String(n).padStart(8)}  ${cause.padEnd(16)}  ${CAUSE_TITLES[cause]}\n`;
  }
  const ups = Object.entries(a.byUpstream).sort((x, y) => total(y[1]) - total(x[1]));
  if (ups.length) {
    out += '\nBy upstream:\n';
    for (const [u, c] of ups.slice(0, 10)) out += `  ${String(total(c)).padStart(8)}  ${u}  (${causes(c)})\n`;
    if (ups.length > 10) out += `  … ${ups.length - 10} more\n`;
  }
  const minutes = Object.entries(a.perMinute);
  if (minutes.length) {
    const peak = minutes.reduce((m, e) => (total(e[1]) > total(m[1]) ? e : m));
    out += `\nOver time: ${minutes[0][0]} … ${minutes[minutes.length - 1][0]}, ${minutes.length} minute${minutes.length === 1 ? '' : 's'} with events; busiest ${peak[0]} (${total(peak[1])}: ${causes(peak[1])}).\n`;
  }
  return out;
}
