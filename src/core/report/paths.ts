// How reports name files: relative to the cwd when inside it, else as given. A module of its own so that
// reports which need only this (logs) do not load the lint rules with lintReport.ts.
import * as path from 'path';

export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
