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

/**
 * The rule loop of every engine: each rule that is not disabled and (when it names keys in `appliesTo`)
 * has one of them present runs through runRuleSafely with `ctx.rule` set to it. Returns the findings of
 * rules that threw; the rules' own findings are in the context.
 */
export function runRules<R extends { id: string; cause: CauseId; appliesTo?: string[]; check(ctx: C): void }, C extends { rule: R }>(
  rules: readonly R[],
  ctx: C,
  file: string,
  opts: { disabledRules?: ReadonlySet<string>; present?: (key: string) => boolean } = {},
): Finding[] {
  const failed: Finding[] = [];
  for (const rule of rules) {
    if (opts.disabledRules?.has(rule.id)) continue;
    if (opts.present && rule.appliesTo && rule.appliesTo.length > 0 && !rule.appliesTo.some(opts.present)) continue;
    ctx.rule = rule;
    const f = runRuleSafely(rule, file, () => rule.check(ctx));
    if (f) failed.push(f);
  }
  return failed;
}
