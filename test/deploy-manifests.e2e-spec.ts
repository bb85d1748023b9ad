import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * compose.yaml and deploy/ as a bank runs them: yamllint (Debian's) on every file, then the files
 * parsed by PyYAML (the library yamllint runs on, so no second YAML parser to install) and checked
 * for what Kubernetes and Docker Compose would refuse or silently get wrong (a probe on a port name
 * the container does not have, a selector that selects nothing, a number where Kubernetes wants a
 * string) and for the listeners' contract of docs/api.md's "Listeners": Plaid's port through the proxy or
 * ingress, the staff port kept to support, the management port to the kubelet and Prometheus.
 * No cluster and no container engine run here; both engines' projects run it (it starts no app).
 */
const ROOT = join(__dirname, '..');
const K8S = join(ROOT, 'deploy', 'kubernetes');
const LINT_CONFIG = join(ROOT, 'deploy', 'yamllint.yaml');
const YAML_FILES = [
  join(ROOT, 'compose.yaml'),
  join(ROOT, 'deploy', 'prometheus.yml'),
  LINT_CONFIG,
  ...readdirSync(K8S)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(K8S, f)),
];

type Obj = Record<string, any>;

const lint = (files: string[]) => spawnSync('yamllint', ['-s', '-f', 'parsable', '-c', LINT_CONFIG, ...files]);

// yamllint's own interpreter, from its first line: Debian's yamllint depends on python3-yaml there.
const python = () => {
  const path = execFileSync('sh', ['-c', 'command -v yamllint']).toString().trim();
  return readFileSync(path, 'utf8')
    .split('\n')[0]
    .replace(/^#!\s*/, '')
    .split(/\s+/);
};
const parseAll = (file: string): Obj[] => {
  const [interpreter, ...args] = python();
  const out = execFileSync(interpreter, [
    ...args,
    '-c',
    'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))',
    file,
  ]);
  return (JSON.parse(out.toString()) as (Obj | null)[]).filter((d): d is Obj => d !== null);
};

const KINDS: Record<string, string> = {
  ConfigMap: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
  ServiceMonitor: 'monitoring.coreos.com/v1',
};
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describe('deployment manifests: compose.yaml, deploy/nginx.conf, deploy/prometheus.yml, deploy/kubernetes/', () => {
  it('pass yamllint (strict), which does refuse a broken manifest', () => {
    const clean = lint(YAML_FILES);
    expect({ status: clean.status, out: clean.stdout.toString() + clean.stderr.toString() }).toEqual({
      status: 0,
      out: '',
    });

    // The same check on a copy with a repeated key, a thing Kubernetes would take as the last value.
    const dir = mkdtempSync(join(tmpdir(), 'pxauth-yamllint-'));
    try {
      const broken = join(dir, 'broken.yaml');
      writeFileSync(
        broken,
        readFileSync(join(K8S, 'pxauth-sidecar.yaml'), 'utf8').replace(/^kind: ConfigMap$/m, '$&\nkind: Secret'),
      );
      const r = lint([broken]);
      expect(r.status).not.toBe(0);
      expect(r.stdout.toString()).toMatch(/key-duplicates/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('deploy/kubernetes/', () => {
    const byFile = Object.fromEntries(
      readdirSync(K8S)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => [f, parseAll(join(K8S, f))]),
    );
    const docs = Object.values(byFile).flat();
    const one = (kind: string, name: string) => {
      const found = docs.filter((d) => d.kind === kind && d.metadata?.name === name);
      expect(found).toHaveLength(1);
      return found[0];
    };
    const deployment = () => one('Deployment', 'bank-api');
    const podLabels = () => deployment().spec.template.metadata.labels as Record<string, string>;
    const containerPorts = () =>
      (deployment().spec.template.spec.containers as Obj[]).flatMap((c) => (c.ports ?? []) as Obj[]);
    const pxauth = () => (deployment().spec.template.spec.containers as Obj[]).find((c) => c.name === 'pxauth')!;
    const env = () => Object.fromEntries((pxauth().env as Obj[]).map((e) => [e.name, e.value]));

    it('hold only known kinds, each at its API version, with valid and unique names', () => {
      expect(docs.length).toBeGreaterThanOrEqual(8);
      for (const d of docs) {
        expect({ kind: d.kind, apiVersion: d.apiVersion }).toEqual({ kind: d.kind, apiVersion: KINDS[d.kind] });
        expect(d.metadata.name).toMatch(DNS_LABEL);
      }
      const keys = docs.map((d) => `${d.kind}/${d.metadata.name}`);
      expect(new Set(keys).size).toBe(keys.length);
      // ServiceMonitor is a custom resource: alone in its file, so that the rest applies on any cluster.
      expect(byFile['pxauth-servicemonitor.yaml'].map((d) => d.kind)).toEqual(['ServiceMonitor']);
      expect(docs.filter((d) => d.kind === 'ServiceMonitor')).toHaveLength(1);
      // The Secret is made by hand (kubectl create secret): applying a placeholder would overwrite it.
      expect(docs.filter((d) => d.kind === 'Secret')).toEqual([]);
    });

    it('give Kubernetes strings where it wants strings (ConfigMap data, env values, annotations)', () => {
      for (const v of Object.values(one('ConfigMap', 'pxauth').data as Obj)) expect(typeof v).toBe('string');
      for (const c of deployment().spec.template.spec.containers as Obj[])
        for (const e of (c.env ?? []) as Obj[]) expect({ [e.name]: typeof e.value }).toEqual({ [e.name]: 'string' });
      for (const v of Object.values(deployment().spec.template.metadata.annotations as Obj))
        expect(typeof v).toBe('string');
    });

    it('Deployment: its selector selects its pods, ports are named and unique, probes use a declared port', () => {
      const d = deployment();
      expect(matches(d.spec.selector.matchLabels, podLabels())).toBe(true);
      const names = containerPorts().map((p) => p.name as string);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n).toMatch(IANA_SVC_NAME);
      for (const c of d.spec.template.spec.containers as Obj[])
        for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'])
          if (c[probe]) expect(names).toContain(c[probe].httpGet.port);
    });

    it('pxauth: the management listener on 9000 for probes and Prometheus, the staff one on its own port', () => {
      const ports = Object.fromEntries(containerPorts().map((p) => [p.name, p.containerPort]));
      expect(ports).toMatchObject({ plaid: 3000, staff: 3001, management: 9000 });
      expect(env()).toMatchObject({ MANAGEMENT_PORT: '9000', ADMIN_PORT: '3001', ADMIN_HOST: '0.0.0.0' });
      const c = pxauth();
      expect(
        [c.readinessProbe, c.livenessProbe, c.startupProbe].map((p: Obj) => [p.httpGet.port, p.httpGet.path]),
      ).toEqual([
        ['management', '/readyz'],
        ['management', '/healthz'],
        ['management', '/healthz'],
      ]);
      expect(deployment().spec.template.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(ports.management),
        'prometheus.io/path': '/metrics',
      });
      // The drain must end before Kubernetes' SIGKILL.
      const cm = one('ConfigMap', 'pxauth').data as Record<string, string>;
      expect(parseInt(cm.SHUTDOWN_DELAY) + parseInt(cm.SHUTDOWN_TIMEOUT)).toBeLessThan(
        deployment().spec.template.spec.terminationGracePeriodSeconds as number,
      );
    });

    it('Services select the pods and target declared ports; each listener has its own', () => {
      const names = containerPorts().map((p) => p.name as string);
      const services = docs.filter((d) => d.kind === 'Service');
      for (const s of services) {
        expect(matches(s.spec.selector, podLabels())).toBe(true);
        for (const p of s.spec.ports as Obj[]) expect(names).toContain(p.targetPort);
      }
      const targets = (name: string) => (one('Service', name).spec.ports as Obj[]).map((p) => p.targetPort as string);
      expect(targets('pxauth-plaid')).toEqual(['plaid']);
      expect(targets('pxauth-staff')).toEqual(['staff']);
      expect(targets('pxauth-management')).toEqual(['management']);
      expect(one('Service', 'pxauth-staff').spec.type).toBe('ClusterIP');
      expect(one('Service', 'pxauth-management').spec.type).toBe('ClusterIP');
      // No Ingress, LoadBalancer or NodePort reaches the staff or management port.
      for (const s of services.filter((x) => x.metadata.name !== 'pxauth-plaid'))
        expect(['ClusterIP', undefined]).toContain(s.spec.type);
      expect(docs.filter((d) => d.kind === 'Ingress')).toEqual([]);
    });

    it('ServiceMonitor selects the management Service and scrapes its named port', () => {
      const sm = one('ServiceMonitor', 'pxauth');
      const matched = docs.filter(
        (d) => d.kind === 'Service' && matches(sm.spec.selector.matchLabels, d.metadata.labels),
      );
      expect(matched.map((s) => s.metadata.name)).toEqual(['pxauth-management']);
      const servicePorts = (matched[0].spec.ports as Obj[]).map((p) => p.name as string);
      expect((sm.spec.endpoints as Obj[]).map((e) => [e.port, e.path])).toEqual([['management', '/metrics']]);
      for (const e of sm.spec.endpoints as Obj[]) expect(servicePorts).toContain(e.port);
    });

    it('NetworkPolicy: Plaid from the ingress controller, metrics from monitoring, staff from bank-support only', () => {
      const np = one('NetworkPolicy', 'pxauth');
      expect(matches(np.spec.podSelector.matchLabels, podLabels())).toBe(true);
      expect(np.spec.policyTypes).toEqual(['Ingress']);
      const names = containerPorts().map((p) => p.name as string);
      const rules = (np.spec.ingress as Obj[]).map((r) => {
        for (const p of r.ports as Obj[]) {
          expect(p.protocol).toBe('TCP');
          expect(names).toContain(p.port);
        }
        // Every rule names its sources: an empty `from` would admit the whole cluster.
        expect((r.from as Obj[]).length).toBeGreaterThan(0);
        return {
          ports: (r.ports as Obj[]).map((p) => p.port as string),
          from: (r.from as Obj[]).map((f) => ({
            namespace: f.namespaceSelector?.matchLabels,
            pods: f.podSelector?.matchLabels,
          })),
        };
      });
      expect(rules).toEqual([
        {
          ports: ['plaid'],
          from: [
            {
              namespace: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
              pods: { 'app.kubernetes.io/name': 'ingress-nginx' },
            },
          ],
        },
        {
          ports: ['management'],
          from: [{ namespace: { 'kubernetes.io/metadata.name': 'monitoring' }, pods: undefined }],
        },
        {
          ports: ['staff'],
          from: [{ namespace: { 'kubernetes.io/metadata.name': 'bank-support' }, pods: { 'pxauth-staff': 'allowed' } }],
        },
      ]);
    });

    it('PodDisruptionBudget keeps one of the two pods through a drain', () => {
      const pdb = one('PodDisruptionBudget', 'pxauth');
      expect(matches(pdb.spec.selector.matchLabels, podLabels())).toBe(true);
      expect({ minAvailable: pdb.spec.minAvailable, replicas: deployment().spec.replicas }).toEqual({
        minAvailable: 1,
        replicas: 2,
      });
      expect(pdb.spec.maxUnavailable).toBeUndefined();
    });
  });

  describe('compose.yaml', () => {
    const compose = parseAll(join(ROOT, 'compose.yaml'))[0];
    const services = compose.services as Record<string, Obj>;
    const replicas = ['pxauth-1', 'pxauth-2'];

    it('declares every network and volume it uses', () => {
      const networks = Object.keys(compose.networks as Obj);
      const volumes = Object.keys(compose.volumes as Obj);
      for (const [name, s] of Object.entries(services)) {
        expect({ name, networks: (s.networks as string[]).filter((n) => !networks.includes(n)) }).toEqual({
          name,
          networks: [],
        });
        for (const v of (s.volumes ?? []) as string[]) {
          const source = v.split(':')[0];
          if (source.startsWith('./')) expect(readFileSync(join(ROOT, source), 'utf8').length).toBeGreaterThan(0);
          else expect(volumes).toContain(source);
        }
      }
      expect(Object.keys(services).sort()).toEqual([
        'postgres',
        'prometheus',
        'proxy',
        'pxauth-1',
        'pxauth-2',
        'redis',
      ]);
    });

    it('replicas: management on 9000 for Prometheus, the staff port published on the host loopback only', () => {
      replicas.forEach((name, i) => {
        const s = services[name];
        expect(s.environment).toMatchObject({ MANAGEMENT_PORT: '9000', ADMIN_HOST: '0.0.0.0', ADMIN_PORT: '3001' });
        expect(s.networks).toEqual(['edge', 'backend', 'monitoring']);
        expect(s.ports).toEqual([`127.0.0.1:${3001 + i}:3001`]);
      });
    });

    it('only the proxy publishes Plaid port to the world; PostgreSQL and Redis sit on an internal network', () => {
      for (const [name, s] of Object.entries(services))
        for (const p of (s.ports ?? []) as string[])
          if (name !== 'proxy')
            expect({ name, published: p }).toEqual({ name, published: expect.stringMatching(/^127\.0\.0\.1:/) });
      expect(services.proxy.ports).toEqual(['3000:3000']);
      expect(services.proxy.networks).toEqual(['edge']);
      expect(services.postgres.networks).toEqual(['backend']);
      expect(services.redis.networks).toEqual(['backend']);
      expect(compose.networks.backend).toEqual({ internal: true });
    });

    it("Prometheus is on `monitoring` and its scrape config names both replicas' management port", () => {
      expect(services.prometheus.networks).toEqual(['monitoring']);
      expect(services.prometheus.volumes).toContain('./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
      const config = parseAll(join(ROOT, 'deploy', 'prometheus.yml'))[0];
      expect(
        (config.scrape_configs as Obj[]).map((j) => ({
          job: j.job_name,
          path: j.metrics_path,
          targets: (j.static_configs as Obj[]).flatMap((c) => c.targets as string[]),
        })),
      ).toEqual([
        {
          job: 'pxauth',
          path: '/metrics',
          targets: replicas.map((r) => `${r}:${services[r].environment.MANAGEMENT_PORT}`),
        },
      ]);
    });

    it("nginx forwards to the replicas' public port only, never to the staff or management one", () => {
      const nginx = readFileSync(join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
      const upstream = /upstream pxauth \{([^}]*)\}/.exec(nginx)![1];
      expect([...upstream.matchAll(/^\s*server\s+(\S+)/gm)].map((m) => m[1])).toEqual(replicas.map((r) => `${r}:3000`));
      expect([...nginx.matchAll(/proxy_pass\s+([^;]+);/g)].map((m) => m[1])).toEqual(['http://pxauth']);
    });
  });
});
