// Every rule the product knows, for docs links, SARIF metadata and the meta-tests. Findings that come
// from the engine itself (syntax, includes) are listed here as rules too, so each has a doc page.
import type { CauseId, Severity } from './finding';
import { nginxRules } from './configs/nginx/rules';
import { topologyRules } from './topology/rules';
import { kubernetesRules } from './configs/kubernetes/rules';
import { haproxyRules } from './configs/haproxy/rules';
import { apacheRules } from './configs/apache/rules';
import { caddyRules } from './configs/caddy/rules';

export interface RuleMeta {
  id: string;
  cause: CauseId;
  severity: Severity;
  title: string;
  /** Engine rules report parse and include problems; they have docs but no fixture pair of their own. */
  engine?: boolean;
  /** Cross-layer rules: their fixtures are workspaces (test/fixtures/topology), checked by their own meta-test. */
  crossLayer?: boolean;
}

export const engineRules: RuleMeta[] = [
  { id: 'nginx/syntax', cause: 'upstream-down', severity: 'error', title: 'The config does not parse: nginx would refuse to start or reload', engine: true },
  { id: 'nginx/include-cycle', cause: 'upstream-down', severity: 'error', title: 'Files include each other in a cycle', engine: true },
  { id: 'nginx/include-not-found', cause: 'observability', severity: 'info', title: 'An included file is not in the workspace', engine: true },
  { id: 'nginx/include-unreadable', cause: 'observability', severity: 'warning', title: 'An included file cannot be read', engine: true },
  { id: 'nginx/unreadable', cause: 'observability', severity: 'error', title: 'A config file cannot be read or is too large', engine: true },
  { id: 'haproxy/syntax', cause: 'upstream-down', severity: 'error', title: 'The HAProxy config does not parse: HAProxy would refuse to start or reload', engine: true },
  { id: 'haproxy/unreadable', cause: 'observability', severity: 'error', title: 'An HAProxy config file cannot be read, is too large, or is binary', engine: true },
  { id: 'apache/syntax', cause: 'upstream-down', severity: 'error', title: 'The Apache httpd config does not parse (unbalanced or unclosed containers): httpd would refuse to start', engine: true },
  { id: 'apache/unreadable', cause: 'observability', severity: 'error', title: 'An Apache config file cannot be read, is too large, or is binary', engine: true },
  { id: 'apache/include-cycle', cause: 'upstream-down', severity: 'error', title: 'Apache config files include each other in a cycle', engine: true },
  { id: 'apache/include-not-found', cause: 'observability', severity: 'info', title: 'An Apache `Include` target is not in the workspace', engine: true },
  { id: 'apache/include-unreadable', cause: 'observability', severity: 'warning', title: 'A file an Apache `Include` names cannot be read', engine: true },
  { id: 'caddy/syntax', cause: 'upstream-down', severity: 'error', title: 'The Caddyfile does not parse: Caddy would refuse to start or reload', engine: true },
  { id: 'caddy/import-cycle', cause: 'upstream-down', severity: 'error', title: 'Caddyfiles or snippets import each other in a cycle', engine: true },
  { id: 'caddy/import-not-found', cause: 'observability', severity: 'info', title: 'An imported snippet or file is not in the workspace', engine: true },
  { id: 'caddy/unreadable', cause: 'observability', severity: 'error', title: 'A Caddyfile cannot be read, is too large, or is binary', engine: true },
  { id: 'kubernetes/syntax', cause: 'upstream-down', severity: 'error', title: 'A Kubernetes manifest is not valid YAML: kubectl apply refuses it', engine: true },
  { id: 'kubernetes/unreadable', cause: 'observability', severity: 'error', title: 'A Kubernetes manifest cannot be read', engine: true },
];

export function allRules(): RuleMeta[] {
  return [...engineRules, ...[...nginxRules, ...haproxyRules, ...apacheRules, ...caddyRules, ...topologyRules, ...kubernetesRules].map((r) => ({ id: r.id, cause: r.cause, severity: r.severity, title: r.title, crossLayer: topologyRules.includes(r as never) || undefined }))];
}
