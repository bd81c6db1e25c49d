// Lint output: text for people, JSON per DESIGN.md's contract, SARIF 2.1.0 for code-scanning tools.
// Lines and columns are 1-based here; paths are relative to `cwd` when under it.
import * as path from 'path';
import { Finding, docsUrl } from '../finding';
import { allRules } from '../rules';

import { displayPath } from './paths';

export { displayPath };

export function lintJson(findings: Finding[], cwd: string): object {
  return {
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      cause: f.cause,
      message: f.message,
      file: displayPath(f.file, cwd),
      line: f.range.start.line + 1,
      column: f.range.start.character + 1,
      endLine: f.range.end.line + 1,
      endColumn: f.range.end.character + 1,
      related: f.related.map((r) => ({ file: displayPath(r.file, cwd), line: r.range.start.line + 1, message: r.message })),
      fixes: f.fixes.map((x) => ({
        title: x.title,
        edits: x.edits.map((e) => ({
          file: displayPath(e.file, cwd),
          line: e.range.start.line + 1,
          column: e.range.start.character + 1,
          endLine: e.range.end.line + 1,
          endColumn: e.range.end.character + 1,
          newText: e.newText,
        })),
      })),
    })),
  };
}

export function lintText(findings: Finding[], cwd: string, filesInspected: number): string {
  if (findings.length === 0) return `No findings in ${filesInspected} file${filesInspected === 1 ? '' : 's'}.\n`;
  let out = '';
  let lastFile = '';
  for (const f of findings) {
    const file = displayPath(f.file, cwd);
    if (file !== lastFile) {
      out += `${lastFile ? '\n' : ''}${file}\n`;
      lastFile = file;
    }
    out += `  ${f.range.start.line + 1}:${f.range.start.character + 1}  ${f.severity.padEnd(7)}  ${f.message}  [${f.ruleId}, cause: ${f.cause}]${f.fixes.length ? ' (fixable)' : ''}\n`;
    for (const r of f.related) out += `      ↳ ${displayPath(r.file, cwd)}:${r.range.start.line + 1}: ${r.message}\n`;
  }
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  out += `\n${findings.length} finding${findings.length === 1 ? '' : 's'} (${count('error')} errors, ${count('warning')} warnings, ${count('info')} info) in ${filesInspected} file${filesInspected === 1 ? '' : 's'}.\n`;
  return out;
}

export function lintSarif(findings: Finding[], cwd: string, version: string): object {
  const rules = allRules();
  const level = (s: string) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');
  const toUri = (f: string) => displayPath(f, cwd).split(path.sep).join('/');
  const region = (r: Finding['range']) => ({
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gateway-doctor',
            version,
            informationUri: 'https://github.com/gateway-doctor/gateway-doctor',
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.title },
              helpUri: docsUrl(r.id),
              properties: { cause: r.cause },
              defaultConfiguration: { level: level(r.severity) },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          level: level(f.severity),
          message: { text: f.message },
          properties: { cause: f.cause },
          locations: [{ physicalLocation: { artifactLocation: { uri: toUri(f.file) }, region: region(f.range) } }],
          relatedLocations: f.related.map((r, i) => ({
            id: i,
            message: { text: r.message },
            physicalLocation: { artifactLocation: { uri: toUri(r.file) }, region: region(r.range) },
          })),
          fixes: f.fixes.map((x) => ({
            description: { text: x.title },
            artifactChanges: groupEdits(x.edits).map(([file, edits]) => ({
              artifactLocation: { uri: toUri(file) },
              replacements: edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
            })),
          })),
        })),
      },
    ],
  };
}

function groupEdits<T extends { file: string }>(edits: T[]): Array<[string, T[]]> {
  const m = new Map<string, T[]>();
  for (const e of edits) {
    let l = m.get(e.file);
    if (!l) m.set(e.file, (l = []));
    l.push(e);
  }
  return [...m];
}
