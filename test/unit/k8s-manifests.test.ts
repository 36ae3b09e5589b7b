/**
 * The Kubernetes manifests (k8s/base) are checked twice, without a cluster:
 * - every document against the Kubernetes OpenAPI schema of its kind (the validators the
 *   `kubernetes-models` package generates from the Kubernetes API's own OpenAPI document);
 * - against the project's rules: every container has resources, a non-root and read-only security
 *   context, probes on the endpoints the processes serve; images are the project's; the
 *   configuration each process is given passes the process's own configuration readers; HAPI and
 *   PostgreSQL take traffic only from the pods that need them.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { load, loadAll } from 'js-yaml';
import { loadConfig, loadWorkerConfig } from '../../platform/config';
import { loadSecurityConfig } from '../../gateway/security/config';
import { loadDmpConfig } from '../../queue/dmp/config';

const ROOT = path.join(__dirname, '..', '..');
const BASE = path.join(ROOT, 'k8s', 'base');

// ---- reading the manifests -------------------------------------------------------------------

type Json = Record<string, unknown>;
interface Manifest {
  file: string;
  doc: Json;
}

const obj = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});
const arr = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

interface Kustomization {
  resources: string[];
  images: { name: string; newTag: string }[];
}
const kustomization = load(readFileSync(path.join(BASE, 'kustomization.yaml'), 'utf8')) as Kustomization;

const manifests: Manifest[] = kustomization.resources.flatMap((file) =>
  loadAll(readFileSync(path.join(BASE, file), 'utf8'))
    .filter((doc) => doc !== null && doc !== undefined)
    .map((doc) => ({ file, doc: obj(doc) })),
);

const name = (m: Manifest): string => str(obj(m.doc.metadata).name);
const ofKind = (kind: string): Manifest[] => manifests.filter((m) => m.doc.kind === kind);
const one = (kind: string, wanted: string): Manifest => {
  const found = ofKind(kind).find((m) => name(m) === wanted);
  assert.ok(found, `${kind}/${wanted} is missing`);
  return found;
};

/** Deployments, StatefulSets and Jobs: what runs pods. */
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job'];
const workloads = manifests.filter((m) => WORKLOAD_KINDS.includes(str(m.doc.kind)));
const podTemplate = (m: Manifest): Json => obj(obj(m.doc.spec).template);
const podSpec = (m: Manifest): Json => obj(podTemplate(m).spec);
const containersOf = (m: Manifest): Json[] => [...arr(podSpec(m).containers), ...arr(podSpec(m).initContainers)];
const container = (kind: string, workload: string): Json => {
  const first = arr(podSpec(one(kind, workload)).containers)[0];
  assert.ok(first, `${kind}/${workload} has no container`);
  return first;
};

const configMap = obj(one('ConfigMap', 'ordo-config').doc.data) as Record<string, string>;

/** The environment a container sees: its ConfigMaps (envFrom), its literal values, secrets as placeholders. */
function environmentOf(c: Json): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of arr(c.envFrom)) {
    const ref = str(obj(from.configMapRef).name);
    Object.assign(env, obj(one('ConfigMap', ref).doc.data));
  }
  for (const variable of arr(c.env)) {
    const valueFrom = obj(variable.valueFrom);
    if (typeof variable.value === 'string') env[str(variable.name)] = variable.value;
    else if (valueFrom.configMapKeyRef) {
      const ref = obj(valueFrom.configMapKeyRef);
      env[str(variable.name)] = str(obj(one('ConfigMap', str(ref.name)).doc.data)[str(ref.key)]);
    } else if (valueFrom.secretKeyRef) env[str(variable.name)] = '<secret>';
  }
  return env;
}

// ---- the Kubernetes schemas --------------------------------------------------------------------

type Model = new (data: unknown) => { validate(): void };

/**
 * The generated model of a kind (`kubernetes-models/<group>/<version>/<Kind>`, core kinds under
 * `v1/`). Imported by a computed name: the package is a development dependency the typecheck does
 * not need.
 */
async function modelOf(apiVersion: string, kind: string): Promise<Model> {
  const specifier = `kubernetes-models/${apiVersion}/${kind}`;
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(
      `cannot load ${specifier} (${(err as Error).message}): the schema check needs the development dependency kubernetes-models`,
      { cause: err },
    );
  }
  const model = module[kind];
  assert.equal(typeof model, 'function', `${specifier} exports no ${kind}`);
  return model as Model;
}

/** The schema's findings for one document, or [] when it is valid. */
async function schemaProblems(doc: Json): Promise<string[]> {
  const Model = await modelOf(str(doc.apiVersion), str(doc.kind));
  try {
    new Model(doc).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

describe('Kubernetes manifests: the Kubernetes API schemas', () => {
  it('lists every manifest file in the kustomization, and only existing files', () => {
    const onDisk = readdirSync(BASE).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    assert.deepEqual([...kustomization.resources].sort(), onDisk.sort());
    assert.ok(manifests.length >= 20, `only ${manifests.length} documents were read`);
  });

  it('validates every document against the schema of its apiVersion and kind', async () => {
    const problems: string[] = [];
    for (const m of manifests) {
      for (const problem of await schemaProblems(m.doc))
        problems.push(`${m.file} ${m.doc.kind}/${name(m)}: ${problem}`);
    }
    assert.deepEqual(problems, []);
  });

  it('the schema check refuses what the API server would refuse', async () => {
    const gateway = structuredClone(one('Deployment', 'gateway').doc);
    const spec = obj(gateway.spec);
    spec.replicas = 'three';
    delete spec.selector;
    const problems = (await schemaProblems(gateway)).join('; ');
    assert.match(problems, /replicas must be integer/);
    assert.match(problems, /spec must have required property '?selector'?/);
    const hpa = structuredClone(one('HorizontalPodAutoscaler', 'gateway').doc);
    obj(hpa.spec).metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: '65%' } } },
    ];
    assert.match((await schemaProblems(hpa)).join('; '), /averageUtilization must be integer/);
  });
});

// ---- the project's rules -------------------------------------------------------------------------

describe('Kubernetes manifests: the project rules', () => {
  it('gives every container CPU and memory requests and limits', () => {
    for (const m of workloads) {
      for (const c of containersOf(m)) {
        const resources = obj(c.resources);
        for (const bound of ['requests', 'limits']) {
          for (const resource of ['cpu', 'memory']) {
            assert.ok(obj(resources[bound])[resource], `${name(m)}/${str(c.name)}: no ${bound}.${resource}`);
          }
        }
      }
    }
  });

  it('runs every pod as non-root, without privilege escalation or capabilities, on a read-only root', () => {
    assert.ok(workloads.length >= 6, `only ${workloads.length} workloads`);
    for (const m of workloads) {
      const pod = podSpec(m);
      const security = obj(pod.securityContext);
      assert.equal(security.runAsNonRoot, true, `${name(m)}: runAsNonRoot`);
      assert.ok(Number(security.runAsUser) > 0, `${name(m)}: runAsUser must be a non-root uid`);
      assert.equal(obj(security.seccompProfile).type, 'RuntimeDefault', `${name(m)}: seccomp`);
      assert.equal(pod.automountServiceAccountToken, false, `${name(m)}: no API token in the pod`);
      for (const c of containersOf(m)) {
        const context = obj(c.securityContext);
        assert.equal(context.allowPrivilegeEscalation, false, `${name(m)}/${str(c.name)}: allowPrivilegeEscalation`);
        assert.equal(context.readOnlyRootFilesystem, true, `${name(m)}/${str(c.name)}: readOnlyRootFilesystem`);
        assert.deepEqual(obj(context.capabilities).drop, ['ALL'], `${name(m)}/${str(c.name)}: capabilities`);
        assert.notEqual(context.privileged, true);
      }
    }
  });

  it('probes every long-running container (liveness and readiness)', () => {
    for (const m of workloads.filter((w) => w.doc.kind !== 'Job')) {
      for (const c of arr(podSpec(m).containers)) {
        assert.ok(c.livenessProbe, `${name(m)}/${str(c.name)}: no livenessProbe`);
        assert.ok(c.readinessProbe, `${name(m)}/${str(c.name)}: no readinessProbe`);
      }
    }
  });

  it('probes the endpoints each process serves, on the ports it listens on', () => {
    const httpProbe = (c: Json, probe: string) => obj(obj(c[probe]).httpGet);
    const portNumber = (c: Json, port: unknown): number =>
      typeof port === 'number' ? port : Number(arr(c.ports).find((p) => p.name === port)?.containerPort);

    const gateway = container('Deployment', 'gateway');
    assert.equal(httpProbe(gateway, 'livenessProbe').path, '/health');
    assert.equal(httpProbe(gateway, 'readinessProbe').path, '/ready');
    assert.equal(portNumber(gateway, httpProbe(gateway, 'readinessProbe').port), Number(configMap.PORT));

    const worker = container('Deployment', 'worker');
    for (const probe of ['livenessProbe', 'readinessProbe']) {
      assert.equal(httpProbe(worker, probe).path, '/health');
      assert.equal(portNumber(worker, httpProbe(worker, probe).port), Number(configMap.WORKER_HEALTH_PORT));
    }

    const hapi = container('Deployment', 'hapi');
    const hapiPort = Number(environmentOf(hapi).HAPI_PORT);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      assert.equal(httpProbe(hapi, probe).path, '/fhir/metadata');
      assert.equal(portNumber(hapi, httpProbe(hapi, probe).port), hapiPort);
    }
    // The probes reach the pods' addresses: the processes must not listen on loopback only.
    assert.equal(configMap.HOST, '0.0.0.0');
    assert.equal(environmentOf(hapi).HAPI_BIND_ADDRESS, '0.0.0.0');
  });

  it('runs only the project images, at the tag the kustomization pins, and pinned third-party images', () => {
    const tags = new Map(kustomization.images.map((i) => [i.name, i.newTag]));
    assert.deepEqual([...tags.keys()].sort(), ['ordo-gateway', 'ordo-hapi']);
    const thirdParty = /^(postgres|redis):\d[\w.-]*$/;
    for (const m of workloads) {
      for (const c of containersOf(m)) {
        const image = str(c.image);
        const [repository = '', tag] = image.split(':');
        if (tags.has(repository)) assert.equal(tag, tags.get(repository), `${name(m)}: ${image}`);
        else assert.match(image, thirdParty, `${name(m)}: ${image} is neither ours nor a pinned postgres/redis`);
      }
    }
    assert.equal(str(container('Deployment', 'hapi').image).split(':')[0], 'ordo-hapi');
  });

  it('starts the gateway, the worker and the profile installer with their entry points', () => {
    // The image runs what `npm run build` compiled (tsconfig.build.json), never tsx.
    const built = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    const entry = (c: Json): string => {
      const command = (c.command as string[]) ?? [];
      assert.equal(command.length, 2, command.join(' '));
      assert.equal(command[0], 'node');
      const compiled = /^dist\/(.+)\.js$/.exec(command[1] ?? '');
      assert.ok(compiled, `${command[1]} is not a compiled entry point under dist/`);
      const file = `${compiled[1]}.ts`;
      assert.ok(existsSync(path.join(ROOT, file)), `${file} does not exist`);
      assert.ok(
        built.include.some((included) => file === included || file.startsWith(`${included}/`)),
        `${file} is not compiled by npm run build`,
      );
      return file;
    };
    assert.equal(entry(container('Deployment', 'gateway')), 'gateway/server.ts');
    assert.equal(entry(container('Deployment', 'worker')), 'queue/worker.ts');
    assert.equal(entry(container('Job', 'install-profiles')), 'scripts/install-profiles.ts');
  });

  it('sets every variable the gateway and the worker read, in the ConfigMap or from a Secret', () => {
    const readers = ['platform/config.ts', 'gateway/security/config.ts', 'queue/dmp/config.ts'];
    const read = new Set<string>();
    for (const file of readers) {
      const source = readFileSync(path.join(ROOT, file), 'utf8');
      for (const match of source.matchAll(/\b(?:read\s*\.\s*\w+|list)\((?:read, env, )?'([A-Z][A-Z0-9_]+)'/g))
        read.add(match[1]!);
      for (const match of source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) read.add(match[1]!);
    }
    for (const known of ['FHIR_BASE_URL', 'REDIS_URL', 'PUBLIC_BASE_URL', 'AUTH_ISSUER', 'WORKER_CONCURRENCY'])
      assert.ok(read.has(known), `the scan of the readers missed ${known}`);
    // The PEM form of the signing credentials is the alternative to the PKCS#12 the worker is given.
    const alternatives = new Set(['DMP_SIGNING_KEY', 'DMP_SIGNING_CERT', 'DMP_SIGNING_CHAIN']);
    const worker = environmentOf(container('Deployment', 'worker'));
    const gateway = environmentOf(container('Deployment', 'gateway'));
    const missing = [...read].filter(
      (v) => !alternatives.has(v) && !(v in configMap) && !(v in worker) && !(v in gateway),
    );
    assert.deepEqual(missing, []);
  });

  it('gives each process a configuration its own readers accept, in production mode', () => {
    const gateway = environmentOf(container('Deployment', 'gateway'));
    assert.equal(gateway.NODE_ENV, 'production');
    const config = loadConfig(gateway);
    loadSecurityConfig(gateway);
    assert.equal(config.port, 3000);

    const worker = environmentOf(container('Deployment', 'worker'));
    const workerConfig = loadWorkerConfig(worker);
    const dmp = loadDmpConfig(loadConfig(worker), worker);
    const signing = dmp.signing;
    assert.ok('p12Path' in signing, 'the worker signs with the PKCS#12 of the Secret');
    // The certificate path is in the volume the Secret is mounted on.
    const mounts = arr(container('Deployment', 'worker').volumeMounts);
    const signingMount = mounts.find((v) => signing.p12Path.startsWith(`${str(v.mountPath)}/`));
    assert.ok(signingMount, `${signing.p12Path} is on no mounted volume`);
    const volume = arr(podSpec(one('Deployment', 'worker')).volumes).find((v) => v.name === signingMount.name);
    assert.equal(obj(volume?.secret).secretName, 'ordo-dmp-signing');
    assert.ok(workerConfig.healthPort > 0);

    const installer = environmentOf(container('Job', 'install-profiles'));
    assert.equal(installer.FHIR_BASE_URL, configMap.FHIR_BASE_URL);
  });

  it('commits no Secret: the ones referenced are created by the operator, as k8s/README.md says', () => {
    assert.deepEqual(ofKind('Secret'), []);
    const referenced = new Set<string>();
    for (const m of workloads) {
      for (const v of arr(podSpec(m).volumes))
        if (obj(v.secret).secretName) referenced.add(str(obj(v.secret).secretName));
      for (const c of containersOf(m))
        for (const e of arr(c.env)) {
          const ref = obj(obj(e.valueFrom).secretKeyRef);
          if (ref.name) referenced.add(str(ref.name));
        }
    }
    assert.deepEqual([...referenced].sort(), ['ordo-console-client', 'ordo-dmp-signing', 'ordo-postgres']);
    const readme = readFileSync(path.join(ROOT, 'k8s', 'README.md'), 'utf8');
    for (const secret of referenced)
      assert.ok(readme.includes(secret), `k8s/README.md does not say how to create ${secret}`);
  });

  it('routes every Service and autoscaler to an existing workload', () => {
    const labelsOf = (m: Manifest) => obj(obj(podTemplate(m).metadata).labels);
    for (const service of ofKind('Service')) {
      const selector = obj(obj(service.doc.spec).selector);
      const targets = workloads.filter((w) =>
        Object.entries(selector).every(([key, value]) => labelsOf(w)[key] === value),
      );
      assert.equal(targets.length, 1, `Service/${name(service)} selects ${targets.length} workloads`);
      const target = targets[0]!;
      const ports = containersOf(target).flatMap((c) => arr(c.ports));
      for (const port of arr(obj(service.doc.spec).ports)) {
        assert.ok(
          ports.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort),
          `Service/${name(service)}: no container port ${String(port.targetPort)}`,
        );
      }
    }
    for (const hpa of ofKind('HorizontalPodAutoscaler')) {
      const target = obj(obj(hpa.doc.spec).scaleTargetRef);
      const deployment = one(str(target.kind), str(target.name));
      // A CPU utilisation target is a share of the CPU request: without one the autoscaler cannot work.
      for (const c of containersOf(deployment)) assert.ok(obj(obj(c.resources).requests).cpu);
    }
    assert.deepEqual(ofKind('HorizontalPodAutoscaler').map(name).sort(), ['gateway', 'worker']);
  });

  it('denies all traffic by default and lets only HAPI reach PostgreSQL, only the services reach HAPI', () => {
    const policies = ofKind('NetworkPolicy').map((m) => obj(m.doc.spec));
    const defaultDeny = policies.find((p) => Object.keys(obj(p.podSelector)).length === 0 && !p.ingress && !p.egress);
    assert.ok(defaultDeny, 'no default-deny policy');
    assert.deepEqual([...((defaultDeny.policyTypes as string[]) ?? [])].sort(), ['Egress', 'Ingress']);

    const appOf = (selector: unknown) => str(obj(obj(selector).matchLabels)['app.kubernetes.io/name']);
    const ingressSources = (app: string): string[] => {
      const forApp = policies.filter((p) => appOf(p.podSelector) === app);
      assert.ok(forApp.length > 0, `no NetworkPolicy for ${app}`);
      return forApp.flatMap((p) =>
        arr(p.ingress).flatMap((rule) => {
          const from = arr(rule.from);
          // A rule without `from` admits every source, inside and outside the cluster.
          if (from.length === 0) return ['<anywhere>'];
          return from.map((peer) => (peer.ipBlock || peer.namespaceSelector ? '<outside>' : appOf(peer.podSelector)));
        }),
      );
    };
    assert.deepEqual(ingressSources('postgres'), ['hapi']);
    assert.deepEqual(ingressSources('hapi').sort(), ['gateway', 'install-profiles', 'worker']);
    assert.deepEqual(ingressSources('redis').sort(), ['gateway', 'worker']);
    assert.deepEqual(ingressSources('gateway'), ['<anywhere>']);
    // Every workload is covered by a policy of its own.
    for (const m of workloads) ingressSources(str(obj(obj(podTemplate(m).metadata).labels)['app.kubernetes.io/name']));
  });

  it('writes no plain scalar that YAML 1.1 (the API server) and YAML 1.2 read differently', () => {
    // yes/no/on/off are booleans, and a leading 0 makes an octal number, in YAML 1.1 only.
    const ambiguous = /(?:^|:|-|,|\[)\s*(yes|no|on|off|y|n|0[0-7]+)\s*(?:$|,|\])/i;
    for (const file of [...kustomization.resources, 'kustomization.yaml']) {
      readFileSync(path.join(BASE, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\s#.*$/, '');
          assert.doesNotMatch(code, ambiguous, `${file}:${i + 1}: quote it or write it in decimal`);
        });
    }
  });
});
