// docker-compose.yml is for production users; no engine runs here, so the test checks what can be
// checked offline: it parses, and everything it points at exists and agrees with the code.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { messengerConfigured, messengerFromConfig } from '../../adapters/messenger/from-config.js';
import { VkApiMessenger } from '../../adapters/messenger/vk-api/messenger.js';
import { configKeys, loadConfig } from '../../infra/config.js';
import { projectRoot } from '../../infra/paths.js';
import { hubSearchAttributes } from '../../workflows/search-attributes.js';

interface Service {
  image?: string;
  ports?: string[];
  build?: string | { context: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, unknown>;
}
const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has the production topology: Temporal on PostgreSQL, its UI, and the hub processes', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'hub-api', 'hub-worker', 'hub-scheduler', 'hub-migrate']),
    );
    expect(services.temporal?.environment?.DB).toBe('postgres12');
    for (const s of Object.values(services)) expect(s.image ?? s.build).toBeTruthy();
  });

  it('every bind-mounted file and build context exists', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(projectRoot, source)), `${name}: ${source}`).toBe(true);
      }
      if (s.build) {
        const context = typeof s.build === 'string' ? s.build : s.build.context;
        expect(existsSync(join(projectRoot, context, 'Dockerfile'))).toBe(true);
      }
      for (const dep of Object.keys(s.depends_on ?? {})) expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
    }
  });

  it('hub processes run entry points that exist, with settings the config knows', () => {
    for (const name of ['hub-api', 'hub-worker', 'hub-scheduler', 'hub-migrate']) {
      const s = services[name]!;
      const entry = s.command?.find((c) => c.startsWith('bin/'));
      expect(entry && existsSync(join(projectRoot, entry)), `${name}: ${entry}`).toBe(true);
      for (const key of Object.keys(s.environment ?? {})) expect(configKeys, `${name}: ${key}`).toContain(key);
    }
  });

  it('the image holds every folder the processes run from (the Dockerfile copies the tree, .dockerignore leaves out only what they do not need)', () => {
    const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^COPY \. \.$/m);
    const ignored = readFileSync(join(projectRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    const needed = readdirSync(projectRoot, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !['node_modules', 'test', 'bench', 'docs', 'test-results', 'coverage'].includes(d.name))
      .map((d) => d.name);
    for (const folder of ['app', 'bin', 'api', 'sync', 'i18n', 'infra', 'workflows', 'db']) expect(needed).toContain(folder);
    for (const folder of needed) expect(ignored, folder).not.toContain(folder);
  });

  it('registers exactly the search attributes the workflows upsert', () => {
    const script = readFileSync(join(projectRoot, 'deploy/temporal/search-attributes.sh'), 'utf8');
    for (const key of hubSearchAttributes) expect(script).toContain(`${key.name}:${key.type === 'DATETIME' ? 'Datetime' : 'Keyword'}`);
  });

  it('issue 13 item 6: the worker reaches Сферум through the VK API with the community id and its key (required, never the refusing stand-in); the API offers VK ID', () => {
    const worker = services['hub-worker']!.environment!;
    expect(worker.MESSENGER_KIND).toBe('vk-api');
    expect(worker.VK_GROUP_ID).toMatch(/^\$\{VK_GROUP_ID:\?.+\}$/);
    expect(worker.VK_ACCESS_TOKEN).toMatch(/^\$\{VK_ACCESS_TOKEN:\?.+\}$/);
    expect(worker.VK_TOKEN_TYPE).toBe('${VK_TOKEN_TYPE:-group}');
    expect(services['hub-api']!.environment!.VK_ID_CLIENT_ID).toMatch(/^\$\{VK_ID_CLIENT_ID:\?.+\}$/);
    // What the worker builds from those settings once the operator fills them in (compose substitutes ${…}).
    const operator: Record<string, string> = { VK_GROUP_ID: '1001', VK_ACCESS_TOKEN: 'vk1.a.community-key' };
    const filled = Object.fromEntries(
      Object.entries(worker)
        .filter(([k]) => k.startsWith('VK_') || k.startsWith('MESSENGER_'))
        .map(([k, v]) => [k, v.replace(/\$\{(\w+):([?-])([^}]*)\}/g, (_m, name: string, op: string, rest: string) => operator[name] ?? (op === '-' ? rest : ''))]),
    );
    const config = loadConfig(filled);
    expect(messengerConfigured(config)).toBe(true);
    const messenger = messengerFromConfig(config);
    expect(messenger).toBeInstanceOf(VkApiMessenger);
    expect(messenger.addMode).toBe('invite-link');
  });

  it('issue 14: the Temporal UI (no sign-in of its own) is published on loopback only, and the hub encrypts payloads', () => {
    const ui = services['temporal-ui']!;
    expect(ui.ports?.length).toBeGreaterThan(0);
    for (const p of ui.ports ?? []) expect(p, 'temporal-ui port').toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    for (const name of ['hub-api', 'hub-worker', 'hub-scheduler']) {
      expect(services[name]!.environment?.HUB_PAYLOAD_KEYS, name).toContain(':?');
    }
  });
});
