// Kubernetes rules: data plus one `check` over every manifest of the scan (objects refer to each other
// across files: an Ingress to a Service, a Service to pods by labels).
import type { CauseId, Finding, Fix, Range, Related, Severity } from '../../finding';
import { Container, Manifests, Service, Workload, selects } from './manifests';
import type { AppServerConfig } from '../appServers';
import { appFromCommand } from '../appServers/commandLine';
import { LineIndex } from '../../text';

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

  private readonly apps = new Map<Container, AppServerConfig | undefined>();
  private readonly lineIndexes = new Map<string, LineIndex>();

  /** The app server (gunicorn, uWSGI) a container's command/args start, read once per container. */
  appOf(w: Workload, c: Container): AppServerConfig | undefined {
    if (!this.apps.has(c)) {
      const text = this.m.texts.get(w.file);
      let lines = this.lineIndexes.get(w.file);
      if (text !== undefined && !lines) this.lineIndexes.set(w.file, (lines = new LineIndex(text)));
      this.apps.set(c, c.words.length && lines ? appFromCommand(w.file, lines, c.words, `container ${c.name}`) : undefined);
    }
    return this.apps.get(c);
  }
}

/** A YAML scalar as it should be written back: a number plain, a name plain unless it needs quotes. */
export function yamlScalar(value: number | string): string {
  if (typeof value === 'number') return String(value);
  return /^[A-Za-z][\w.-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~)$/i.test(value) ? value : JSON.stringify(value);
}
