// Kubernetes rules: data plus one `check` over every manifest of the scan (objects refer to each other
// across files: an Ingress to a Service, a Service to pods by labels).
import type { CauseId, Finding, Fix, Range, Related, Severity } from '../../finding';
import { Manifests, Service, Workload, selects } from './manifests';

export interface KubernetesRule {
  id: string;
  cause: CauseId;
  severity: Severity;
  title: string;
  check(ctx: KubernetesContext): void;
}

export class KubernetesContext {
  readonly findings: Finding[] = [];
  rule!: KubernetesRule;
  constructor(readonly m: Manifests) {}

  report(file: string, range: Range, message: string, related: Related[] = [], fixes: Fix[] = [], severity?: Severity): void {
    this.findings.push({ ruleId: this.rule.id, cause: this.rule.cause, severity: severity ?? this.rule.severity, message, file, range, related, fixes });
  }

  /** The workloads whose pods a Service selects (same namespace). */
  podsOf(s: Service): Workload[] {
    if (!s.selector) return [];
    return this.m.workloads.filter((w) => w.namespace === s.namespace && selects(s.selector!.value, w.podLabels));
  }

  services(namespace: string): Service[] {
    return this.m.services.filter((s) => s.namespace === namespace);
  }
}

/** A YAML scalar as it should be written back: a number plain, a name plain unless it needs quotes. */
export function yamlScalar(value: number | string): string {
  if (typeof value === 'number') return String(value);
  return /^[A-Za-z][\w.-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~)$/i.test(value) ? value : JSON.stringify(value);
}
