/**
 * deploy/compose: what can be checked where no container runs. Every JSON config there loads
 * through the loader `vigil serve` and `vigil worker` use; the store publishes to subjects the
 * workers' stream takes; compose.yaml mounts each config it names, points configs and MinIO
 * at services it defines, and takes every credential from a variable the user must set.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, readConfigFile, type VigilConfig } from '../src/config/index.js';
import { subjectMatches } from '../src/destinations/nats-subjects.js';

const dir = join(import.meta.dirname, '..', 'deploy', 'compose');

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

/** js-yaml, which eslint brings: the repository has no YAML parser of its own. */
function parseYaml(text: string): unknown {
  const require = createRequire(import.meta.url);
  const yaml = require('js-yaml') as { load(text: string): unknown };
  return yaml.load(text);
}

const compose = parseYaml(readFileSync(join(dir, 'compose.yaml'), 'utf8')) as ComposeFile;

function load(file: string): VigilConfig {
  // An empty environment: the file alone must be valid, as in a fresh container.
  return loadConfig({}, {}, readConfigFile(join(dir, file)));
}

function hostOf(url: string): string {
  return new URL(url).hostname;
}

function jetStream(config: VigilConfig) {
  const source = config.worker.source;
  if (source.type !== 'jetstream')
    throw new Error(`expected a jetstream source, not ${source.type}`);
  return source;
}

describe('deploy/compose config files', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('are the three compose.yaml mounts', () => {
    expect(files.sort()).toEqual(['store.json', 'worker-minio.json', 'worker.json']);
  });

  it.each(files)('%s loads with Vigil’s config loader', (file) => {
    const config = load(file);
    // No password in the file: node-postgres reads PGPASSWORD, which compose sets.
    expect(config.reporting.url).toBe('postgres://vigil@postgres:5432/vigil');
    expect(new URL(config.reporting.url!).password).toBe('');
  });

  it('store.json: no seed bucket (the workers moderate) and a JetStream destination', () => {
    const store = load('store.json');
    expect(store.seed).toBe(false);
    expect(store.nats.destinations.map((d) => d.name)).toEqual(['workers']);
  });

  it("worker.json takes the store's events; worker-minio.json takes MinIO's, apart", () => {
    const store = load('store.json');
    const worker = jetStream(load('worker.json'));
    const minio = jetStream(load('worker-minio.json'));
    const destination = store.nats.destinations[0]!;
    expect(destination.stream?.name).toBe(worker.stream);
    expect(worker.subjects.some((f) => subjectMatches(f, destination.subject))).toBe(true);

    const minioSubject =
      compose.services['minio']!.environment!['MINIO_NOTIFY_NATS_SUBJECT_VIGIL']!;
    expect(minio.subjects.some((f) => subjectMatches(f, minioSubject))).toBe(true);
    expect(worker.subjects.some((f) => subjectMatches(f, minioSubject))).toBe(false);
    expect(minio.subjects.some((f) => subjectMatches(f, destination.subject))).toBe(false);
    expect(new Set([worker.stream, minio.stream]).size).toBe(2);
    expect(new Set([worker.durable, minio.durable]).size).toBe(2);
  });

  it('every host a config names is a compose service', () => {
    const services = Object.keys(compose.services);
    for (const file of files) {
      const config = load(file);
      const hosts = [
        hostOf(config.reporting.url!),
        ...(config.worker.s3.endpoint ? [hostOf(config.worker.s3.endpoint)] : []),
        ...(config.worker.sqs.endpoint ? [hostOf(config.worker.sqs.endpoint)] : []),
      ];
      // A worker publishes nothing: its `nats` section is unused, its source names the servers.
      if (file === 'store.json') hosts.push(...config.nats.servers.map(hostOf));
      else {
        hosts.push(...jetStream(config).servers.map(hostOf), hostOf(config.pipeline.reviewQueue));
      }
      for (const host of hosts) expect(services, `${file}: ${host}`).toContain(host);
    }
    expect(load('worker.json').worker.s3.endpoint).toBe('http://store:9000');
    expect(load('worker-minio.json').worker.s3.endpoint).toBe('http://minio:9000');
  });
});

describe('deploy/compose/compose.yaml', () => {
  const services = Object.entries(compose.services);

  it('mounts every file it names, and each --config is a mounted file', () => {
    for (const [name, service] of services) {
      const mounts = (service.volumes ?? []).map((v) => v.split(':'));
      for (const [source] of mounts.filter(([s]) => s!.startsWith('.'))) {
        expect(existsSync(resolve(dir, source!)), `${name}: ${source}`).toBe(true);
      }
      for (const [source] of mounts.filter(([s]) => !s!.startsWith('.') && !s!.startsWith('/'))) {
        expect(Object.keys(compose.volumes), `${name}: volume ${source}`).toContain(source);
      }
      const command = service.command ?? [];
      const at = command.indexOf('--config');
      if (at === -1) continue;
      const target = command[at + 1];
      const mount = mounts.find(([, t]) => t === target);
      expect(mount, `${name}: ${target} is not mounted`).toBeDefined();
      expect(existsSync(resolve(dir, mount![0]!))).toBe(true);
    }
  });

  it('takes every credential from a variable that must be set, never a default', () => {
    const secret = /PASSWORD|SECRET|ACCESS_KEY|ROOT_USER/;
    let checked = 0;
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!secret.test(key)) continue;
        checked++;
        expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('runs three workers per store and MinIO only in its profile', () => {
    const replicas = (s: string) =>
      (compose.services[s] as { deploy?: { replicas?: number } }).deploy?.replicas;
    expect(replicas('worker')).toBe(3);
    expect(replicas('worker-minio')).toBe(3);
    expect(compose.services['minio']!.profiles).toEqual(['minio']);
    expect(compose.services['worker-minio']!.profiles).toEqual(['minio']);
    expect(compose.services['store']!.profiles).toBeUndefined();
  });
});
