// One broken rule must not take the others (or the editor) down with it: every rule engine (nginx,
// HAProxy, cross-layer) runs each rule's check through this.
import type { CauseId, Finding } from './finding';

const NOWHERE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Runs `check`; when it throws, an info finding at the top of `file` says so (the other rules still run). */
export function runRuleSafely(rule: { id: string; cause: CauseId }, file: string, check: () => void): Finding | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    return {
      ruleId: rule.id,
      cause: rule.cause,
      severity: 'info',
      message: `internal error in rule ${rule.id}: ${(err as Error)?.message ?? String(err)}; other rules still ran`,
      file,
      range: NOWHERE,
      related: [],
      fixes: [],
    };
  }
}
