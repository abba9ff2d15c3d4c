/**
 * Keeps docker-compose.yml and the Dockerfile true without a Docker engine (this machine has
 * only the client): the compose file is parsed as YAML, and every ipamd, netspan-agent and
 * netspanctl command line in it is run through that binary's real flag parser; every NETSPAN_*
 * variable must be one the binary reads; references between services must resolve; the
 * Dockerfile's sources, entry points and scripts must exist.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { EXIT_USAGE, run } from '@netspan/cli';
import { parse } from 'yaml';
import { repoRoot } from '../harness/index.js';

interface FlagTable {
  [name: string]: { env: string; def: string; help: string; boolean?: boolean };
}
interface ConfigModule {
  FLAGS: FlagTable;
  loadConfig(argv: string[], env: NodeJS.ProcessEnv): unknown;
}

// services/*/dist/config.js are not package exports (ipamd exports its server, the agent its
// library): import them by path, as built by `tsc -b`.
const load = async <T>(rel: string): Promise<T> =>
  (await import(pathToFileURL(path.join(repoRoot, rel)).href)) as T;
const ipamdConfig = await load<ConfigModule>('services/ipamd/dist/config.js');
const agentConfig = await load<ConfigModule>('services/agent/dist/config.js');
const { parseToken } = await load<{ parseToken(t: string): { id: string; secret: string } | undefined }>(
  'services/ipamd/dist/tokens.js',
);

type Binary = 'ipamd' | 'agent' | 'netspanctl';

/** How each binary may be named on a command line: PATH entry (Dockerfile symlink) or script. */
const BINARIES: Record<string, Binary> = {
  ipamd: 'ipamd',
  'ipamd.js': 'ipamd',
  'services/ipamd/dist/main.js': 'ipamd',
  'netspan-agent': 'agent',
  'agent.js': 'agent',
  'services/agent/dist/main.js': 'agent',
  netspanctl: 'netspanctl',
  'netspanctl.js': 'netspanctl',
};

/** Environment variables each binary reads besides its flags' own. */
const EXTRA_ENV: Record<Binary, string[]> = {
  ipamd: ['NETSPAN_CONFIG'],
  agent: ['NETSPAN_AGENT_CONFIG'],
  netspanctl: ['NETSPAN_SERVER'],
};

function binaryOf(word: string): Binary | undefined {
  for (const [suffix, bin] of Object.entries(BINARIES)) {
    if (word === suffix || word.endsWith(`/${suffix}`)) return bin;
  }
  return undefined;
}

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  cap_add?: string[];
  network_mode?: string;
  networks?: string[] | Record<string, unknown>;
  healthcheck?: { test?: string | string[] };
  volumes?: Array<string | { source?: string }>;
}
interface ComposeFile {
  services: Record<string, Service>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

const composeText = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = Object.entries(compose.services ?? {});

/** Splits a shell command (no quoting or substitutions: asserted) into simple commands. */
function shellCommands(script: string): string[][] {
  assert.doesNotMatch(script, /["'`$\\]/, `keep shell commands in the compose file plain: ${script}`);
  return script
    .split(/\|\||&&|;|\||\n/)
    .map((part) => part.trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0);
}

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : v.map(String);

/** Every command line a service runs (entrypoint + command, and its healthcheck), as argv lists. */
function commandLines(svc: Service): string[][] {
  const lines: string[][] = [];
  const full = [...asList(svc.entrypoint), ...asList(svc.command)];
  if (full.length > 0) {
    const shell = ['/bin/sh', 'sh', '/bin/bash', 'bash'].includes(full[0] as string) && full[1] === '-c';
    if (shell) for (const script of full.slice(2)) lines.push(...shellCommands(script));
    else lines.push(full);
  }
  const hc = svc.healthcheck?.test;
  if (Array.isArray(hc)) {
    if (hc[0] === 'CMD') lines.push(hc.slice(1));
    else if (hc[0] === 'CMD-SHELL') lines.push(...shellCommands(hc.slice(1).join(' ')));
  } else if (typeof hc === 'string') lines.push(...shellCommands(hc));
  return lines;
}

interface Invocation {
  service: string;
  binary: Binary;
  args: string[];
}

/** The ipamd / agent / netspanctl invocations in a command line (`exec` and `node` skipped). */
function invocationsOf(service: string, argv: string[]): Invocation[] {
  let words = argv;
  while (words[0] === 'exec' || words[0] === 'node' || words[0] === '/usr/local/bin/node')
    words = words.slice(1);
  const bin = words[0] === undefined ? undefined : binaryOf(words[0]);
  return bin ? [{ service, binary: bin, args: words.slice(1) }] : [];
}

const invocations: Invocation[] = services.flatMap(([name, svc]) =>
  commandLines(svc).flatMap((argv) => invocationsOf(name, argv)),
);
const byService = (binary: Binary) =>
  new Set(invocations.filter((i) => i.binary === binary).map((i) => i.service));

function environmentOf(svc: Service): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(svc.environment)) {
    for (const item of svc.environment) {
      const eq = item.indexOf('=');
      env[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? '' : item.slice(eq + 1);
    }
  } else {
    for (const [k, v] of Object.entries(svc.environment ?? {})) env[k] = v === null ? '' : String(v);
  }
  return env;
}

function dependsOn(svc: Service): string[] {
  const d = svc.depends_on;
  if (!d) return [];
  return Array.isArray(d) ? d : Object.keys(d);
}

/** Strict parse against a FLAGS table: unknown flags and missing values throw. */
function strictParse(flags: FlagTable, args: string[]): void {
  parseArgs({
    args,
    options: {
      ...Object.fromEntries(
        Object.entries(flags).map(([k, f]) => [
          k,
          { type: f.boolean ? ('boolean' as const) : ('string' as const) },
        ]),
      ),
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  // parseArgs takes `--flag --other` as a value; a real value never starts with "--".
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const name = a.startsWith('--') ? a.slice(2).split('=')[0] : undefined;
    if (name && !a.includes('=') && !flags[name]?.boolean && name !== 'help') {
      const v = args[i + 1];
      assert.ok(v !== undefined && !v.startsWith('--'), `${a} needs a value`);
      i++;
    }
  }
}

describe('docker-compose.yml', () => {
  it('parses, and every service has an image or a build', () => {
    assert.ok(services.length > 0, 'no services');
    for (const [name, svc] of services) {
      assert.ok(svc.image || svc.build, `${name}: neither image nor build`);
      if (svc.build) {
        const b = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
        const ctx = path.join(repoRoot, b.context ?? '.');
        assert.ok(existsSync(ctx), `${name}: build context ${b.context} does not exist`);
        const df = path.join(ctx, b.dockerfile ?? 'Dockerfile');
        assert.ok(existsSync(df), `${name}: ${df} does not exist`);
      }
    }
  });

  it('runs etcd, two ipamd replicas, three agent hosts and guests', () => {
    assert.ok(compose.services.etcd, 'no etcd service');
    assert.ok(byService('ipamd').size >= 2, `ipamd runs in ${[...byService('ipamd')]}`);
    assert.ok(byService('agent').size >= 3, `netspan-agent runs in ${[...byService('agent')]}`);
    const guests = services.filter(([, s]) => s.network_mode?.startsWith('service:'));
    assert.ok(guests.length >= 3, 'fewer than three guests');
  });

  it('every ipamd command line is accepted by ipamd’s own parser', () => {
    const seen = invocations.filter((i) => i.binary === 'ipamd');
    assert.ok(seen.length > 0);
    for (const inv of seen) {
      const env = environmentOf(compose.services[inv.service] as Service);
      assert.doesNotThrow(
        () => strictParse(ipamdConfig.FLAGS, inv.args),
        `${inv.service}: ${inv.args.join(' ')}`,
      );
      const cfg = ipamdConfig.loadConfig(inv.args, env) as { grpcListen: string; bootstrapToken: string };
      assert.notEqual(cfg, 'help');
      // Other containers reach it: it must not listen on loopback only.
      assert.match(cfg.grpcListen, /^0\.0\.0\.0:\d+$/, `${inv.service}: --grpc-listen ${cfg.grpcListen}`);
      if (cfg.bootstrapToken)
        assert.ok(parseToken(cfg.bootstrapToken), `${inv.service}: --bootstrap-token is malformed`);
    }
  });

  it('every netspan-agent command line is accepted by the agent’s own parser', () => {
    const seen = invocations.filter((i) => i.binary === 'agent');
    assert.ok(seen.length > 0);
    const hostIds = new Set<string>();
    for (const inv of seen) {
      const env = environmentOf(compose.services[inv.service] as Service);
      assert.doesNotThrow(
        () => strictParse(agentConfig.FLAGS, inv.args),
        `${inv.service}: ${inv.args.join(' ')}`,
      );
      // --vtep names an interface of the container (eth0), which this machine need not have:
      // check the rest with an address in its place.
      const args = inv.args.map((a, i) => (inv.args[i - 1] === '--vtep' && !/^\d/.test(a) ? '192.0.2.1' : a));
      const cfg = agentConfig.loadConfig(args, env) as {
        hostId: string;
        ipamdEndpoints: string[];
        joinToken: string;
      };
      assert.ok(!hostIds.has(cfg.hostId), `host id ${cfg.hostId} is used twice`);
      hostIds.add(cfg.hostId);
      assert.ok(parseToken(cfg.joinToken), `${inv.service}: the join token is malformed`);
      for (const ep of cfg.ipamdEndpoints) {
        const host = ep.slice(0, ep.lastIndexOf(':'));
        assert.ok(byService('ipamd').has(host), `${inv.service}: --ipamd ${ep} is not an ipamd service`);
      }
    }
  });

  it('every netspanctl command line is a valid command with valid flags', async () => {
    const seen = invocations.filter((i) => i.binary === 'netspanctl');
    assert.ok(seen.length > 0);
    for (const inv of seen) {
      const env = environmentOf(compose.services[inv.service] as Service);
      // The CLI connects only after the command line and the request were checked: reaching
      // `connect` means both were accepted. Nothing is sent anywhere.
      let reached = false;
      let stderr = '';
      const code = await run(inv.args, {
        stdout: { write: () => true },
        stderr: { write: (t: string) => (stderr += t) },
        env,
        connect: () => {
          reached = true;
          throw new Error('offline: compose test');
        },
      });
      assert.notEqual(code, EXIT_USAGE, `${inv.service}: netspanctl ${inv.args.join(' ')}: ${stderr}`);
      assert.ok(
        reached,
        `${inv.service}: netspanctl ${inv.args.join(' ')} did not get as far as connecting: ${stderr}`,
      );
      const at = inv.args.indexOf('--server');
      const server = (at >= 0 ? inv.args[at + 1] : env.NETSPAN_SERVER) ?? '';
      const host = server.slice(0, server.lastIndexOf(':'));
      if (host !== '127.0.0.1')
        assert.ok(byService('ipamd').has(host), `${inv.service}: server ${server} is not an ipamd service`);
    }
  });

  it('sets only NETSPAN_* variables that the binaries it runs read', () => {
    const envOf = (b: Binary): Set<string> => {
      if (b === 'netspanctl') return new Set(EXTRA_ENV.netspanctl);
      const table = b === 'ipamd' ? ipamdConfig.FLAGS : agentConfig.FLAGS;
      return new Set([...Object.values(table).map((f) => f.env), ...EXTRA_ENV[b]]);
    };
    for (const [name, svc] of services) {
      const vars = Object.keys(environmentOf(svc)).filter((k) => k.startsWith('NETSPAN_'));
      if (vars.length === 0) continue;
      const bins = new Set(invocations.filter((i) => i.service === name).map((i) => i.binary));
      assert.ok(bins.size > 0, `${name} sets ${vars.join(', ')} but runs no netspan binary`);
      for (const v of vars) {
        assert.ok(
          [...bins].some((b) => envOf(b).has(v)),
          `${name}: ${v} is not read by ${[...bins].join(' or ')}`,
        );
      }
    }
  });

  it('references resolve: depends_on, network_mode, networks, volumes', () => {
    const names = new Set(Object.keys(compose.services));
    for (const [name, svc] of services) {
      for (const d of dependsOn(svc))
        assert.ok(names.has(d), `${name}: depends_on ${d}, which is no service`);
      if (svc.network_mode?.startsWith('service:')) {
        const target = svc.network_mode.slice('service:'.length);
        assert.ok(names.has(target), `${name}: network_mode ${svc.network_mode}`);
        assert.ok(
          byService('agent').has(target),
          `${name}: shares ${target}'s namespace, which runs no agent`,
        );
        assert.equal(svc.networks, undefined, `${name}: network_mode and networks exclude each other`);
      }
      const nets = Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? {});
      for (const n of nets) assert.ok(compose.networks && n in compose.networks, `${name}: network ${n}`);
      for (const v of svc.volumes ?? []) {
        const src = typeof v === 'string' ? v.split(':')[0] : v.source;
        if (src && !src.startsWith('.') && !src.startsWith('/'))
          assert.ok(compose.volumes && src in compose.volumes, `${name}: volume ${src}`);
      }
    }
  });

  it('agent hosts have NET_ADMIN; guests have NET_ADMIN and SYS_ADMIN and a script that exists', () => {
    for (const host of byService('agent')) {
      assert.ok(compose.services[host]?.cap_add?.includes('NET_ADMIN'), `${host}: no NET_ADMIN`);
    }
    for (const [name, svc] of services) {
      if (!svc.network_mode?.startsWith('service:')) continue;
      for (const cap of ['NET_ADMIN', 'SYS_ADMIN'])
        assert.ok(svc.cap_add?.includes(cap), `${name}: no ${cap} (needed for its namespace and veth)`);
      const env = environmentOf(svc);
      assert.ok(
        env.GUEST_NAME && env.GUEST_NAME.length <= 10,
        `${name}: GUEST_NAME must be 1..10 characters`,
      );
      assert.match(env.GUEST_BRIDGE ?? 'nsbr100', /^nsbr[1-9]\d*$/, `${name}: GUEST_BRIDGE`);
      for (const word of [...asList(svc.entrypoint), ...asList(svc.command)]) {
        if (!word.startsWith('/app/')) continue;
        const file = path.join(repoRoot, word.slice('/app/'.length));
        assert.ok(existsSync(file), `${name}: ${word} does not exist in the repository`);
      }
    }
  });

  it("guests' bridge is the one the setup service's network gets (nsbr<vni>)", () => {
    const create = invocations.find((i) => i.binary === 'netspanctl' && i.args.includes('create'));
    assert.ok(create, 'no `netspanctl network create` in the compose file');
    const vni = create.args[create.args.indexOf('--vni') + 1];
    assert.ok(vni && /^\d+$/.test(vni), 'the setup network needs a fixed --vni (guests wait for its bridge)');
    for (const [name, svc] of services) {
      if (svc.network_mode?.startsWith('service:'))
        assert.equal(environmentOf(svc).GUEST_BRIDGE, `nsbr${vni}`, `${name}: GUEST_BRIDGE`);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  // Instructions, with continuation lines joined and comments dropped.
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest };
    });
  const runs = instructions.filter((i) => i.op === 'RUN').map((i) => i.args.join(' '));

  it('builds from node:20-bookworm-slim with npm ci and npm run build', () => {
    const froms = instructions.filter((i) => i.op === 'FROM').map((i) => i.args[0]);
    assert.ok(froms.length > 0 && froms.every((f) => f === 'node:20-bookworm-slim'), `FROM ${froms}`);
    assert.ok(
      runs.some((r) => /\bnpm ci\b/.test(r)),
      'no npm ci',
    );
    assert.ok(
      runs.some((r) => /\bnpm run build\b/.test(r)),
      'no npm run build',
    );
  });

  it('installs what agents and guests run', () => {
    const apt = runs.find((r) => r.includes('apt-get install'));
    assert.ok(apt, 'no apt-get install');
    for (const pkg of ['iproute2', 'nftables', 'busybox', 'udhcpc'])
      assert.match(apt, new RegExp(`\\s${pkg}(\\s|$)`), `apt-get install lacks ${pkg}`);
  });

  it('copies every workspace manifest before npm ci, and every copied path exists', () => {
    const copies = instructions.filter((i) => i.op === 'COPY' && !i.args.some((a) => a.startsWith('--from')));
    const ciAt = instructions.findIndex((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args.join(' ')));
    const beforeCi = new Set(
      instructions
        .slice(0, ciAt)
        .filter((i) => i.op === 'COPY')
        .flatMap((i) => i.args.slice(0, -1)),
    );
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      workspaces: string[];
    };
    for (const ws of pkg.workspaces) {
      const dirs = ws.endsWith('/*')
        ? readdirSync(path.join(repoRoot, ws.slice(0, -2)), { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => `${ws.slice(0, -2)}/${d.name}`)
        : [ws];
      for (const d of dirs) {
        if (!existsSync(path.join(repoRoot, d, 'package.json'))) continue;
        assert.ok(beforeCi.has(`${d}/package.json`), `Dockerfile: COPY ${d}/package.json before npm ci`);
      }
    }
    for (const c of copies) {
      for (const src of c.args.slice(0, -1)) {
        assert.ok(existsSync(path.join(repoRoot, src)), `Dockerfile: COPY ${src}: no such path`);
      }
    }
  });

  it('entry points and scripts under /app exist in the repository and are executable', () => {
    const appPaths = [...dockerfile.matchAll(/\/app\/[\w./-]+/g)].map((m) => m[0]);
    const compose = [...composeText.matchAll(/\/app\/[\w./-]+/g)].map((m) => m[0]);
    assert.ok(appPaths.length > 0);
    for (const p of new Set([...appPaths, ...compose])) {
      if (p === '/app/') continue;
      const file = path.join(repoRoot, p.slice('/app/'.length));
      assert.ok(existsSync(file), `${p} does not exist`);
      if (statSync(file).isFile() && /\/bin\/|\.sh$|\.script$/.test(p))
        assert.doesNotThrow(() => accessSync(file, constants.X_OK), `${p} is not executable`);
    }
    // The PATH names the compose file uses are the symlinks the Dockerfile makes.
    for (const name of ['ipamd', 'netspan-agent', 'netspanctl'])
      assert.match(
        dockerfile,
        new RegExp(`ln -s /app/\\S+ /usr/local/bin/${name}(\\s|$)`),
        `no ${name} on PATH`,
      );
  });

  it('.dockerignore keeps the host’s node_modules and dist out of the image', () => {
    const ignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['**/node_modules', '**/dist']) assert.ok(ignore.includes(p), `.dockerignore lacks ${p}`);
  });

  it('the guest scripts are valid sh', () => {
    for (const f of ['docker/guest.sh', 'docker/udhcpc.script'])
      execFileSync('sh', ['-n', path.join(repoRoot, f)], { stdio: 'pipe' });
  });
});
