// The findings the editor shows, per file: written by live linting (open documents) and by Inspect
// Workspace Configs; read by the diagnostics publisher, the code actions and the Findings tree.
import * as vscode from 'vscode';
import type { Finding } from '../core/finding';

export interface FileFindings {
  findings: Finding[];
  /** Open-document versions the findings (and their fixes) were computed on; other files came from disk. */
  versions: ReadonlyMap<string, number>;
}

export class FindingsModel implements vscode.Disposable {
  private readonly byFile = new Map<string, FileFindings>();
  /** Files the last workspace inspection covered: they keep findings when their editor closes. */
  private inspected = new Set<string>();
  private readonly changed = new vscode.EventEmitter<string[]>();
  /** Fires with the files whose findings changed. */
  readonly onDidChange = this.changed.event;

  get(file: string): FileFindings | undefined {
    return this.byFile.get(file);
  }

  entries(): IterableIterator<[string, FileFindings]> {
    return this.byFile.entries();
  }

  wasInspected(file: string): boolean {
    return this.inspected.has(file);
  }

  set(file: string, entry: FileFindings): void {
    if (entry.findings.length) this.byFile.set(file, entry);
    else this.byFile.delete(file);
    this.changed.fire([file]);
  }

  delete(file: string): void {
    if (this.byFile.delete(file)) this.changed.fire([file]);
  }

  /**
   * Takes a workspace inspection's result: every covered file gets its findings (none → cleared), and
   * files only the previous inspection covered are dropped unless `keep` says otherwise (open editors).
   */
  replaceInspection(covered: Iterable<string>, findings: Finding[], versions: ReadonlyMap<string, number>, keep: (file: string) => boolean): void {
    const touched = new Set<string>();
    for (const f of this.inspected) {
      if (!keep(f) && this.byFile.delete(f)) touched.add(f);
    }
    this.inspected = new Set(covered);
    const grouped = new Map<string, Finding[]>();
    for (const f of this.inspected) grouped.set(f, []);
    for (const f of findings) {
      let l = grouped.get(f.file);
      if (!l) grouped.set(f.file, (l = []));
      l.push(f);
    }
    for (const [file, list] of grouped) {
      if (list.length) this.byFile.set(file, { findings: list, versions });
      else this.byFile.delete(file);
      touched.add(file);
    }
    this.changed.fire([...touched]);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
