// Runs the Kubernetes rules over every manifest of a scan (objects refer to each other across files).
import type { Finding } from '../../finding';
import type { FileHost } from '../../host';
import { runRules } from '../../ruleRunner';
import { isKubernetesCandidate, looksLikeKubernetes, readManifests } from './manifests';
import { KubernetesContext, KubernetesRule } from './rule';
import { kubernetesRules } from './rules';

export { isKubernetesCandidate, looksLikeKubernetes };

export interface KubernetesLintOptions {
  disabledRules?: ReadonlySet<string>;
  kubernetesRules?: KubernetesRule[];
}

export function lintKubernetesFiles(files: string[], host: FileHost, options: KubernetesLintOptions = {}): Finding[] {
  const inputs: Array<{ file: string; text: string }> = [];
  const findings: Finding[] = [];
  for (const file of files) {
    try {
      inputs.push({ file, text: host.readFile(file) });
    } catch (err) {
      findings.push({ ruleId: 'kubernetes/unreadable', cause: 'observability', severity: 'error', message: (err as Error).message, file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, related: [], fixes: [] });
    }
  }
  const m = readManifests(inputs);
  for (const p of m.problems)
    findings.push(p.tooLarge ? { ruleId: 'kubernetes/unreadable', cause: 'observability', severity: 'info', message: p.message, file: p.file, range: p.range, related: [], fixes: [] } : { ruleId: 'kubernetes/syntax', cause: 'upstream-down', severity: 'error', message: p.message, file: p.file, range: p.range, related: [], fixes: [] });
  const ctx = new KubernetesContext(m);
  findings.push(...runRules(options.kubernetesRules ?? kubernetesRules, ctx, files[0] ?? '', { disabledRules: options.disabledRules }));
  findings.push(...ctx.findings);
  return findings;
}
