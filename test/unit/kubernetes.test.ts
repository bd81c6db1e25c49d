// Kubernetes manifests: recognition, the object model with ranges (current and old API shapes), and bad
// input (YAML errors, binary, huge files) giving clear findings, never a throw.
import * as assert from 'assert';
import { MemoryFileHost } from '../../src/core/host';
import { lintPaths } from '../../src/core/lint';
import { isKubernetesCandidate, looksLikeKubernetes, readManifests } from '../../src/core/configs/kubernetes/manifests';
import { lintKubernetesFiles } from '../../src/core/configs/kubernetes/lint';

describe('Kubernetes manifests', () => {
  it('recognises manifests by content, and leaves compose files and CI workflows alone', () => {
    assert.ok(looksLikeKubernetes('apiVersion: v1\nkind: Service\n'));
    assert.ok(!looksLikeKubernetes('services:\n  app:\n    image: x\n'));
    assert.ok(isKubernetesCandidate('/w/k8s/app.yaml'));
    assert.ok(!isKubernetesCandidate('/w/docker-compose.yml'));
    assert.ok(!isKubernetesCandidate('/w/.github/workflows/ci.yml'));
  });

  it('reads the old Ingress shape, CronJob templates and named ports, with ranges', () => {
    const m = readManifests([
      {
        file: '/w/a.yaml',
        text: 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old}\nspec:\n  backend:\n    serviceName: web\n    servicePort: 80\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: jobs}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: nightly}}\n        spec:\n          containers:\n            - name: run\n              command: ["gunicorn", "-b", "0.0.0.0:8000"]\n              ports: [{containerPort: 8000, name: web}]\n',
      },
    ]);
    assert.deepStrictEqual(m.ingresses[0].backends.map((b) => [b.service.value, b.port?.value, b.service.range.start.line]), [['web', 80, 5]]);
    const cj = m.workloads[0];
    assert.deepStrictEqual([cj.kind, cj.namespace, cj.podLabels.app, cj.containers[0].ports[0].name?.value, cj.containers[0].words.map((w) => w.value)], ['CronJob', 'jobs', 'nightly', 'web', ['gunicorn', '-b', '0.0.0.0:8000']]);
  });

  it('gunicorn started without -b binds its default 127.0.0.1:8000: reported, with no fix to guess', () => {
    const host = new MemoryFileHost(new Map([['/w/app.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: a}\n  ports: [{port: 80, targetPort: 8000}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers:\n        - name: web\n          args: ["gunicorn", "app:app"]\n          readinessProbe: {tcpSocket: {port: 8000}}\n']]));
    const f = lintKubernetesFiles(['/w/app.yaml'], host).filter((x) => x.ruleId === 'kubernetes/container-app-binds-loopback');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /gunicorn's default bind, no -b given/);
    assert.deepStrictEqual(f[0].fixes, []);
  });

  it('bad input: a YAML error is kubernetes/syntax at its place; binary and huge files never throw', () => {
    const host = new MemoryFileHost(
      new Map([
        ['/w/broken.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n'],
        ['/w/bin.yaml', 'apiVersion: v1\nkind: Service\n\u0000\u0001\u0002'],
        ['/w/big.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n' + '  k: v\n'.repeat(1) + Array.from({ length: 200000 }, (_, i) => `  k${i}: v${i}`).join('\n') + '\n'],
      ]),
    );
    const f = lintKubernetesFiles(['/w/broken.yaml', '/w/bin.yaml', '/w/big.yaml'], host);
    assert.deepStrictEqual(f.map((x) => [x.ruleId, x.file]), [['kubernetes/syntax', '/w/broken.yaml']]);
    assert.match(f[0].message, /YAML error/);
    assert.doesNotThrow(() => lintPaths(['/w/broken.yaml'], { host }));
    // Over the limit: one info finding saying so, nothing parsed.
    const huge = new MemoryFileHost(new Map([['/w/huge.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n' + '# padding\n'.repeat(500000)]]));
    const h = lintKubernetesFiles(['/w/huge.yaml'], huge);
    assert.deepStrictEqual(h.map((x) => [x.ruleId, x.severity]), [['kubernetes/unreadable', 'info']]);
    assert.match(h[0].message, /manifests over 4 MB are not read/);
  });
});
