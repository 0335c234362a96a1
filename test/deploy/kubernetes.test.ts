import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load';

const DIR = join(__dirname, '../../examples/deploy/kubernetes');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(DIR, f));

/* eslint-disable @typescript-eslint/no-explicit-any -- the manifests' shapes are checked against the schemas first */
type K8sObject = { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> };
const objects: K8sObject[] = FILES.flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as K8sObject),
);
const find = (kind: string) => objects.find((o) => o.kind === kind)!;

function validate(files: string[]): { file: string; kind: string; name: string; error: string | null }[] {
  const result = spawnSync(process.execPath, [join(__dirname, 'validate-kubernetes.mjs'), ...files], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe('examples/deploy/kubernetes', () => {
  it('every object is valid against the Kubernetes API schemas (kubernetes-models)', () => {
    const results = validate(FILES);

    expect(results.map((r) => r.kind).sort()).toEqual([
      'ConfigMap',
      'CronJob',
      'Deployment',
      'Namespace',
      'PersistentVolumeClaim',
      'Secret',
      'Secret',
      'Service',
      'ServiceAccount',
    ]);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
  });

  it('the validator rejects what the API would (a wrong type, a missing required field)', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'guardrail-k8s-')), 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: x }\nspec: { suspend: maybe, jobTemplate: {} }\n',
    );

    const [result] = validate([bad]);

    expect(result!.error).toMatch(/suspend must be boolean/);
    expect(result!.error).toMatch(/required property schedule/);
  });

  it('the ConfigMap holds a config the agent loads, mounted where the image reads it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-k8s-'));
    writeFileSync(join(dir, 'guardrail.yaml'), find('ConfigMap').data!['guardrail.yaml']!);
    const secrets = objects.find(
      (o) => o.kind === 'Secret' && o.metadata.name === 'guardrail-secrets',
    ) as any;

    const config = loadConfig(join(dir, 'guardrail.yaml'), secrets.stringData);

    expect(config.checks.map((c) => c.kind)).toContain('row-count-consistency');
    for (const pod of pods()) {
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'config',
        mountPath: '/etc/guardrail',
        readOnly: true,
      });
    }
  });

  function pods(): any[] {
    return [find('Deployment').spec.template.spec, find('CronJob').spec.jobTemplate.spec.template.spec];
  }

  it('both pods run as uid 10001, non-root, read-only root, no capabilities, /tmp an emptyDir, secrets from Secrets', () => {
    for (const pod of pods()) {
      const container = pod.containers[0];
      const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');

      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      expect(container.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir).toBeDefined();
      expect(container.envFrom).toEqual([{ secretRef: { name: 'guardrail-secrets' } }]);
      expect(container.resources.requests).toBeDefined();
      expect(container.resources.limits.memory).toBeDefined();
      expect(pod.serviceAccountName).toBe('guardrail');
    }
  });

  it('the Deployment serves with PostgreSQL state, probes /readyz and /healthz, and is scraped by Prometheus', () => {
    const deployment = find('Deployment');
    const pod = deployment.spec.template;
    const container = pod.spec.containers[0];

    expect(container.args).toEqual(['serve']);
    expect(container.env).toContainEqual({
      name: 'GUARDRAIL_STATE_URL',
      valueFrom: { secretKeyRef: { name: 'guardrail-state', key: 'url' } },
    });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.ports).toContainEqual({ name: 'metrics', containerPort: 9464, protocol: 'TCP' });
    expect(pod.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9464',
      'prometheus.io/path': '/metrics',
    });
  });

  it('the CronJob runs once at a time with SQLite on its claim, mounted at the image state folder', () => {
    const cronJob = find('CronJob');
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    const state = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === '/var/lib/guardrail');

    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    expect(pod.containers[0].args).toEqual(['run']);
    expect(pod.volumes.find((v: any) => v.name === state.name).persistentVolumeClaim).toEqual({
      claimName: find('PersistentVolumeClaim').metadata.name,
    });
  });

  it('the ServiceAccount names the IRSA role and the GKE Workload Identity service account', () => {
    expect(Object.keys((find('ServiceAccount').metadata as any).annotations).sort()).toEqual([
      'eks.amazonaws.com/role-arn',
      'iam.gke.io/gcp-service-account',
    ]);
  });
});
