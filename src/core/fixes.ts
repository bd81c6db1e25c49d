// Applying fixes: plain text edits on the exact text they were computed from. Overlapping edits are
// skipped (the next lint pass offers them again), never merged into something the user did not write.
import * as fs from 'fs';
import { Finding, TextEdit, comparePositions } from './finding';
import { LineIndex } from './text';

export interface AppliedEdits {
  text: string;
  applied: number;
  skipped: number;
}

/** Applies non-overlapping edits to one text; later edits that overlap an earlier one are skipped. */
export function applyEdits(text: string, edits: TextEdit[]): AppliedEdits {
  const lines = new LineIndex(text);
  const spans = edits
    .map((e, order) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText, order }))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.order - b.order);
  const kept: typeof spans = [];
  let skipped = 0;
  let lastEnd = -1;
  for (const s of spans) {
    // Two insertions at the same point are fine; anything touching a replaced span is not.
    if (s.start < lastEnd || (kept.length && s.start === lastEnd && s.start !== s.end && kept[kept.length - 1].start === s.start)) {
      skipped++;
      continue;
    }
    kept.push(s);
    lastEnd = Math.max(lastEnd, s.end);
  }
  let out = '';
  let pos = 0;
  for (const s of kept) {
    out += text.slice(pos, s.start) + s.newText;
    pos = s.end;
  }
  out += text.slice(pos);
  return { text: out, applied: kept.length, skipped };
}

/** The first fix of every finding, grouped by file, all-or-nothing per fix (a fix's edits go together). */
export function fixEditsByFile(findings: Finding[]): Map<string, TextEdit[][]> {
  const byFile = new Map<string, TextEdit[][]>();
  for (const f of findings) {
    const fix = f.fixes[0];
    if (!fix) continue;
    const files = new Set(fix.edits.map((e) => e.file));
    if (files.size !== 1) continue; // multi-file fixes are applied from the editor, one at a time
    const file = [...files][0];
    let l = byFile.get(file);
    if (!l) byFile.set(file, (l = []));
    l.push(fix.edits);
  }
  return byFile;
}

/** Do two edits touch the same text? Two insertions at one point do not (their order is kept). */
export function editsClash(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file) return false;
  const aEmpty = comparePositions(a.range.start, a.range.end) === 0;
  const bEmpty = comparePositions(b.range.start, b.range.end) === 0;
  if (comparePositions(a.range.start, b.range.start) === 0) return !(aEmpty && bEmpty);
  return comparePositions(a.range.start, b.range.end) < 0 && comparePositions(b.range.start, a.range.end) < 0;
}

/** Whole fixes (groups of edits) in order, skipping any fix whose edits clash with one already taken. */
export function nonOverlappingFixes(groups: TextEdit[][]): { edits: TextEdit[]; applied: number; skipped: number } {
  const edits: TextEdit[] = [];
  let skipped = 0;
  const taken = new Set<string>();
  for (const g of groups) {
    // Two findings can offer the very same edit (two proxies missing the timeout of the defaults section
    // they share): it is applied once, and counts as applied for both.
    const key = JSON.stringify(g);
    if (taken.has(key)) continue;
    if (g.some((e) => edits.some((t) => editsClash(e, t)))) {
      skipped++;
      continue;
    }
    edits.push(...g);
    taken.add(key);
  }
  return { edits, applied: groups.length - skipped, skipped };
}

/** Applies whole fixes (groups of edits) to a text, skipping a fix if any of its edits overlaps another's. */
export function applyFixGroups(text: string, groups: TextEdit[][]): AppliedEdits {
  const chosen = nonOverlappingFixes(groups);
  const r = applyEdits(text, chosen.edits);
  return { text: r.text, applied: chosen.applied, skipped: chosen.skipped + r.skipped };
}

/**
 * `lint --fix`: applies the first fix of every finding to the files on disk, lints again and repeats
 * (a fix can make another one applicable), bounded so it always ends. Returns the last lint result.
 */
export function fixOnDiskUntilStable<R extends { findings: Finding[] }>(lint: () => R, maxPasses = 10): { result: R; applied: number } {
  let result = lint();
  let applied = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    const groups = fixEditsByFile(result.findings);
    if (groups.size === 0) break;
    let changed = 0;
    for (const [file, edits] of groups) {
      const before = fs.readFileSync(file, 'utf8');
      const r = applyFixGroups(before, edits);
      if (r.applied > 0 && r.text !== before) {
        fs.writeFileSync(file, r.text);
        applied += r.applied;
        changed++;
      }
    }
    if (changed === 0) break;
    result = lint();
  }
  return { result, applied };
}
