// Kubernetes manifests (multi-document YAML) as the cross-object rules read them: Services (selector,
// ports), workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod: pod labels, containers and
// their ports, probes, command/args), Ingresses (backends per path). Every value keeps its source range.
import * as path from 'path';
import * as YAML from 'yaml';
import type { Range } from '../../finding';
import { LineIndex } from '../../text';

export interface Located<T> {
  value: T;
  range: Range;
}

export interface K8sObject {
  kind: string;
  name: string;
  namespace: string;
  file: string;
  /** The `kind:` line's range, where object-level findings go. */
  range: Range;
}

export interface ServicePort {
  port?: Located<number>;
  /** A number or a port name; undefined: the same as `port`. */
  targetPort?: Located<number | string>;
  name?: string;
}

export interface Service extends K8sObject {
  /** Undefined: no selector (endpoints managed by hand), nothing to match. */
  selector?: Located<Record<string, string>>;
  ports: ServicePort[];
  type?: string;
}

export interface Container {
  name: string;
  range: Range;
  ports: Array<{ containerPort?: Located<number>; name?: Located<string> }>;
  readinessProbe: boolean;
  /** `command` and `args` words with ranges (for app servers started there). */
  words: Array<{ value: string; start: number; end: number; quote: string }>;
}

export interface Workload extends K8sObject {
  podLabels: Record<string, string>;
  containers: Container[];
}

export interface IngressBackend {
  service: Located<string>;
  port?: Located<number | string>;
  path?: string;
}

export interface Ingress extends K8sObject {
  /** `spec.ingressClassName`, else the `kubernetes.io/ingress.class` annotation: which controller serves it. */
  className?: string;
  backends: IngressBackend[];
  annotations: Record<string, Located<string>>;
}

export interface Manifests {
  services: Service[];
  workloads: Workload[];
  ingresses: Ingress[];
  /** YAML that does not parse, by file: reported as findings. */
  problems: Array<{ file: string; range: Range; message: string; tooLarge?: boolean }>;
  /** Every file's text, for fixes. */
  texts: Map<string, string>;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'ReplicationController']);

/** YAML whose first documents look like Kubernetes objects (`apiVersion:` and `kind:` at the top level). */
export function looksLikeKubernetes(text: string): boolean {
  const head = text.slice(0, 65536);
  return /^apiVersion:\s*\S/m.test(head) && /^kind:\s*[A-Z]\w+/m.test(head);
}

export function isKubernetesCandidate(file: string): boolean {
  return /\.ya?ml$/i.test(file) && !/(^|[\\/])(docker-)?compose([.-][^\\/]*)?\.ya?ml$/i.test(file) && !/(^|[\\/])\.github[\\/]/.test(file);
}

/** Manifests larger than this are reported as not read: YAML parsing costs ~0.5 s a megabyte. */
export const MAX_MANIFEST_BYTES = 4 << 20;
const WANTED = /^kind:[ \t]*["']?(Service|Ingress|Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|Pod|ReplicationController)["']?[ \t]*(#.*)?$/m;

/** The documents of a multi-document YAML text: offsets of each, split at `---` lines. */
function documentsOf(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let start = 0;
  const re = /^---[ \t]*(#.*)?$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > start) out.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out;
}

export function readManifests(files: Array<{ file: string; text: string }>): Manifests {
  const out: Manifests = { services: [], workloads: [], ingresses: [], problems: [], texts: new Map() };
  for (const { file, text } of files) {
    if (text.includes('\u0000')) continue;
    const lines = new LineIndex(text);
    if (text.length > MAX_MANIFEST_BYTES) {
      out.problems.push({ file, range: lines.range(0, 0), message: `${path.basename(file)} is ${(text.length / 1048576).toFixed(1)} MB: manifests over ${MAX_MANIFEST_BYTES >> 20} MB are not read`, tooLarge: true });
      continue;
    }
    out.texts.set(file, text);
    for (const chunk of documentsOf(text)) {
      const body = text.slice(chunk.start, chunk.end);
      // Only the kinds the rules read are parsed (a 5 MB ConfigMap costs nothing).
      if (!WANTED.test(body)) continue;
      const base = chunk.start;
      const r = (n: YAML.Node | null | undefined): Range => (n?.range ? lines.range(base + n.range[0], base + n.range[1]) : lines.range(base, base));
      let doc: YAML.Document.Parsed;
      try {
        doc = YAML.parseDocument(body, { uniqueKeys: false });
      } catch (err) {
        out.problems.push({ file, range: lines.range(base, base), message: `${path.basename(file)} is not valid YAML: ${(err as Error).message}` });
        continue;
      }
      if (doc.errors.length) {
        const e = doc.errors[0];
        out.problems.push({ file, range: lines.range(base + e.pos[0], base + e.pos[1]), message: `YAML error: ${e.message.split('\n')[0]}` });
        continue;
      }
      readObject(doc, file, text, base, r, out);
    }
  }
  return out;
}

function readObject(doc: YAML.Document.Parsed, file: string, text: string, base: number, r: (n: YAML.Node | null | undefined) => Range, out: Manifests): void {
  if (!YAML.isMap(doc.contents)) return;
  const kindNode = doc.get('kind', true);
  const kind = YAML.isScalar(kindNode) ? String(kindNode.value) : '';
  if (!kind) return;
  const meta = doc.get('metadata');
  const name = YAML.isMap(meta) ? String(meta.get('name') ?? '') : '';
  const namespace = YAML.isMap(meta) ? String(meta.get('namespace') ?? 'default') : 'default';
  const obj: K8sObject = { kind, name, namespace, file, range: r(YAML.isScalar(kindNode) ? kindNode : null) };
  const spec = doc.get('spec');
  if (kind === 'Service' && YAML.isMap(spec)) {
    const sel = spec.get('selector', true);
    const ports = spec.get('ports');
    out.services.push({
      ...obj,
      type: String(spec.get('type') ?? 'ClusterIP'),
      selector: YAML.isMap(sel) ? { value: stringMap(sel), range: r(sel) } : undefined,
      ports: YAML.isSeq(ports)
        ? ports.items.filter(YAML.isMap).map((p) => {
            const port = p.get('port', true);
            const tp = p.get('targetPort', true);
            return {
              port: YAML.isScalar(port) && typeof port.value === 'number' ? { value: port.value, range: r(port) } : undefined,
              targetPort: YAML.isScalar(tp) && (typeof tp.value === 'number' || typeof tp.value === 'string') ? { value: tp.value as number | string, range: r(tp) } : undefined,
              name: p.get('name') !== undefined ? String(p.get('name')) : undefined,
            };
          })
        : [],
    });
  } else if (WORKLOADS.has(kind) && YAML.isMap(spec)) {
    // Pod: spec is the pod spec; CronJob: spec.jobTemplate.spec.template; others: spec.template.
    const template = kind === 'Pod' ? doc.contents : kind === 'CronJob' ? doc.getIn(['spec', 'jobTemplate', 'spec', 'template']) : spec.get('template');
    if (!YAML.isMap(template)) return;
    const tmeta = kind === 'Pod' ? meta : template.get('metadata');
    const labels = YAML.isMap(tmeta) ? tmeta.get('labels') : undefined;
    const podSpec = template.get('spec');
    const containers = YAML.isMap(podSpec) ? podSpec.get('containers') : undefined;
    out.workloads.push({
      ...obj,
      podLabels: YAML.isMap(labels) ? stringMap(labels) : {},
      containers: YAML.isSeq(containers) ? containers.items.filter(YAML.isMap).map((c) => container(c, r, text, base)) : [],
    });
  } else if (kind === 'Ingress' && YAML.isMap(spec)) {
    const ann = YAML.isMap(meta) ? meta.get('annotations') : undefined;
    const annotations: Ingress['annotations'] = {};
    if (YAML.isMap(ann)) for (const it of ann.items) if (YAML.isScalar(it.key) && YAML.isScalar(it.value)) annotations[String(it.key.value)] = { value: String(it.value.value), range: r(it.value) };
    const backends: IngressBackend[] = [];
    const def = spec.get('defaultBackend') ?? spec.get('backend'); // the old API's name for it
    if (YAML.isMap(def)) pushBackend(backends, def, r, undefined);
    const rules = spec.get('rules');
    if (YAML.isSeq(rules))
      for (const rule of rules.items) {
        if (!YAML.isMap(rule)) continue;
        const paths = rule.getIn(['http', 'paths']);
        if (!YAML.isSeq(paths)) continue;
        for (const p of paths.items) if (YAML.isMap(p) && YAML.isMap(p.get('backend'))) pushBackend(backends, p.get('backend') as YAML.YAMLMap, r, String(p.get('path') ?? '/'));
      }
    const cls = spec.get('ingressClassName');
    out.ingresses.push({ ...obj, backends, annotations, className: cls !== undefined ? String(cls) : annotations['kubernetes.io/ingress.class']?.value });
  }
}

function stringMap(m: YAML.YAMLMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of m.items) if (YAML.isScalar(it.key) && YAML.isScalar(it.value)) out[String(it.key.value)] = String(it.value.value);
  return out;
}

function container(c: YAML.YAMLMap, r: (n: YAML.Node | null | undefined) => Range, text: string, base: number): Container {
  const nameNode = c.get('name', true);
  const ports = c.get('ports');
  const words: Container['words'] = [];
  for (const key of ['command', 'args']) {
    const seq = c.get(key, true);
    if (YAML.isSeq(seq))
      for (const it of seq.items)
        if (YAML.isScalar(it) && it.range) words.push({ value: String(it.value), start: base + it.range[0], end: base + it.range[1], quote: text[base + it.range[0]] === '"' || text[base + it.range[0]] === "'" ? text[base + it.range[0]] : '' });
  }
  return {
    name: YAML.isScalar(nameNode) ? String(nameNode.value) : '',
    range: r(YAML.isScalar(nameNode) ? nameNode : c),
    ports: YAML.isSeq(ports)
      ? ports.items.filter(YAML.isMap).map((p) => {
          const cp = p.get('containerPort', true);
          const n = p.get('name', true);
          return { containerPort: YAML.isScalar(cp) && typeof cp.value === 'number' ? { value: cp.value, range: r(cp) } : undefined, name: YAML.isScalar(n) ? { value: String(n.value), range: r(n) } : undefined };
        })
      : [],
    readinessProbe: c.has('readinessProbe'),
    words,
  };
}

function pushBackend(out: IngressBackend[], backend: YAML.YAMLMap, r: (n: YAML.Node | null | undefined) => Range, p: string | undefined): void {
  // networking.k8s.io/v1: backend.service.{name, port.{number|name}}; the old v1beta1: serviceName/servicePort.
  const svc = backend.get('service');
  if (YAML.isMap(svc)) {
    const n = svc.get('name', true);
    const port = svc.get('port');
    const pn = YAML.isMap(port) ? (port.get('number', true) ?? port.get('name', true)) : undefined;
    if (YAML.isScalar(n)) out.push({ service: { value: String(n.value), range: r(n) }, port: YAML.isScalar(pn) ? { value: pn.value as number | string, range: r(pn) } : undefined, path: p });
    return;
  }
  const n = backend.get('serviceName', true);
  const pn = backend.get('servicePort', true);
  if (YAML.isScalar(n)) out.push({ service: { value: String(n.value), range: r(n) }, port: YAML.isScalar(pn) ? { value: pn.value as number | string, range: r(pn) } : undefined, path: p });
}

/** Does a selector pick these pod labels (every key equal)? */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}
