import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { GROUPS } from './commands/index.js';
import { commandName } from './help.js';
import type { Services } from './rpc.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Io, run } from './run.js';

// gRPC status codes used below (numeric, as a ServiceError carries them).
const ALREADY_EXISTS = 6;
const UNAVAILABLE = 14;
const UNIMPLEMENTED = 12;
/** What a progress line writes to go back to the start of the line and clear it. */
const ERASE = '\r\x1b[K';

type Handler = (req: Record<string, unknown>) => unknown;
interface Call {
  method: string;
  req: Record<string, unknown>;
  deadline: Date;
  requestId: string | undefined;
}

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

/** Fake clients whose methods answer through `handlers` with the grpc-js callback convention. */
function fakeServer(handlers: Record<string, Handler> = {}) {
  const calls: Call[] = [];
  const connects: { server: string; opts: unknown }[] = [];
  let closed = 0;
  const service = () =>
    new Proxy(
      {},
      {
        get:
          (_target, method: string) =>
          (
            req: Record<string, unknown>,
            md: Metadata,
            opts: { deadline: Date },
            cb: (err: unknown, res?: unknown) => void,
          ) => {
            calls.push({
              method,
              req,
              deadline: opts.deadline,
              requestId: md.get('x-request-id')[0]?.toString(),
            });
            let res: unknown;
            let err: unknown = null;
            try {
              const handler = handlers[method];
              if (!handler) throw grpcError(UNIMPLEMENTED, `${method} not faked`);
              res = handler(req);
            } catch (e) {
              err = e;
            }
            setImmediate(() => cb(err, res));
            return { cancel() {} };
          },
      },
    );
  const connect = (server: string, opts: unknown) => {
    connects.push({ server, opts });
    return {
      network: service(),
      ipam: service(),
      close() {
        closed++;
      },
    } as unknown as Services & { close(): void };
  };
  return { calls, connects, connect, closed: () => closed };
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(
  argv: string[],
  server = fakeServer(),
  env: Record<string, string> = {},
  opts: { tty?: boolean } = {},
): Promise<Result & { server: ReturnType<typeof fakeServer> }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: Boolean(opts.tty) },
    env,
    connect: server.connect,
    now: () => Date.UTC(2024, 4, 1, 12, 0, 0),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, server };
}

const NETWORK = {
  name: 'blue',
  cidr: '10.0.0.0/24',
  gateway: '',
  pools: [],
  exclusions: [],
  leaseTimeSeconds: 3600,
  domain: 'blue.netspan.internal',
  dhcpOptions: null,
  vni: 4242,
  mode: 'FORWARD_MODE_ISOLATED',
  encapsulation: 'ENCAPSULATION_VXLAN',
  vlanId: 0,
  description: '',
  revision: 5,
  createdAtMs: 1714564800000,
};

function lease(address: string, clientId: string) {
  return {
    network: 'blue',
    address,
    clientId,
    mac: '',
    hostname: '',
    state: 'LEASE_STATE_BOUND',
    location: { host: '', via: 'api' },
    createdAtMs: 1,
    updatedAtMs: 1,
    expiresAtMs: 0,
    pool: 'pool0',
    revision: 9,
  };
}

describe('run: help and usage errors', () => {
  it('prints help on stdout with exit 0, without connecting', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['network', '--help'], ['help', 'lease', 'list']]) {
      const r = await cli(argv);
      assert.equal(r.code, EXIT_OK, argv.join(' '));
      assert.match(r.stdout, /Usage:/);
      assert.equal(r.stderr, '');
      assert.equal(r.server.connects.length, 0);
    }
  });

  it('has help with examples for every command', async () => {
    for (const g of GROUPS) {
      for (const c of g.commands) {
        const r = await cli([c.group, ...(c.verb ? [c.verb] : []), '--help']);
        assert.equal(r.code, EXIT_OK);
        assert.match(r.stdout, new RegExp(`Usage:\\n  netspanctl ${commandName(c)}`));
        assert.match(r.stdout, /Examples:\n {2}netspanctl /);
        assert.match(r.stdout, /Global flags:/);
      }
    }
  });

  it('exits 2 with the usage on stderr for command-line mistakes, never connecting', async () => {
    const cases: [string[], RegExp, RegExp][] = [
      [[], /^error: missing command\n/, /Commands:/],
      [['bogus'], /^error: unknown command "bogus"\n/, /Commands:/],
      [['network'], /^error: missing network command \(one of create, get/, /netspanctl network <command>/],
      [['network', 'bogus'], /^error: unknown command "network bogus"\n/, /netspanctl network <command>/],
      [
        ['network', 'create', 'blue'],
        /^error: missing required flag --cidr\n/,
        /netspanctl network create NAME/,
      ],
      [['network', 'create', 'blue', '--cidr', '10.0.0.0/24', '--frob'], /unknown flag --frob/, /Flags:/],
      [['lease', 'allocate'], /^error: missing argument NETWORK\n/, /netspanctl lease allocate NETWORK/],
      [['lease', 'list', '--limit', 'ten'], /--limit: "ten" is not a whole number/, /lease list/],
      [['lease', 'release', 'blue'], /give the ADDRESS to release or --client-id ID/, /lease release/],
      [
        ['network', 'list', '-o', 'xml'],
        /--output: "xml" is not one of table, wide, json, yaml/,
        /network list/,
      ],
      [['network', 'list', '--timeout', '0'], /--timeout/, /network list/],
      [['network', 'list', '--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/, /network list/],
      [
        ['network', 'list', '--tls-ca', '/nonexistent/ca.pem'],
        /--tls-ca: cannot read .* \(ENOENT\)/,
        /network list/,
      ],
      [['network', 'update', 'blue'], /nothing to update/, /network update NAME/],
    ];
    for (const [argv, error, usage] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, EXIT_USAGE, argv.join(' '));
      assert.match(r.stderr, error, argv.join(' '));
      assert.match(r.stderr, usage, argv.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(r.server.connects.length, 0);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});

describe('run: calls and output', () => {
  it('creates a network and prints the response as JSON', async () => {
    const server = fakeServer({ CreateNetwork: () => ({ network: NETWORK }) });
    const r = await cli(
      [
        'network',
        'create',
        'blue',
        '--cidr',
        '10.0.0.0/24',
        '--pool',
        '10.0.0.10-10.0.0.50,web',
        '-o',
        'json',
      ],
      server,
    );
    assert.equal(r.code, EXIT_OK, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { network: NETWORK });
    assert.deepEqual(
      server.calls.map((c) => [c.method, c.req]),
      [
        [
          'CreateNetwork',
          {
            network: {
              name: 'blue',
              cidr: '10.0.0.0/24',
              pools: [{ name: 'web', start: '10.0.0.10', end: '10.0.0.50' }],
            },
          },
        ],
      ],
    );
    assert.equal(server.closed(), 1);
  });

  it('prints a network as key: value lines by default', async () => {
    const server = fakeServer({ GetNetwork: () => ({ network: NETWORK }) });
    const r = await cli(['network', 'get', 'blue'], server);
    assert.equal(r.code, EXIT_OK);
    assert.match(r.stdout, /^name: +blue\n/);
    assert.match(r.stdout, /^vni: +4242$/m);
  });

  it('prints exactly the AllocateResponse for lease allocate -o json', async () => {
    const response = { lease: lease('10.0.0.20', 'vm-1'), created: true };
    const server = fakeServer({ Allocate: () => response });
    const r = await cli(
      ['lease', 'allocate', 'blue', '--address', '10.0.0.20', '--client-id', 'vm-1', '-o', 'json'],
      server,
    );
    assert.equal(r.code, EXIT_OK);
    assert.deepEqual(JSON.parse(r.stdout), response);
    assert.deepEqual(server.calls[0]?.req, { network: 'blue', address: '10.0.0.20', clientId: 'vm-1' });
  });

  it('notes on stderr, not stdout, that an allocation was replayed', async () => {
    const server = fakeServer({ Allocate: () => ({ lease: lease('10.0.0.20', 'vm-1'), created: false }) });
    const r = await cli(['lease', 'allocate', 'blue', '--client-id', 'vm-1'], server);
    assert.equal(r.code, EXIT_OK);
    assert.match(r.stdout, /^NETWORK +ADDRESS +CLIENT/);
    assert.match(r.stdout, /10\.0\.0\.20 +vm-1/);
    assert.match(r.stderr, /already held/);
  });

  it('sends an update with only the given fields masked', async () => {
    const server = fakeServer({ UpdateNetwork: () => ({ network: NETWORK }) });
    const r = await cli(
      ['network', 'update', 'blue', '--mtu', '1400', '--dns', '10.0.0.1', '-o', 'json'],
      server,
    );
    assert.equal(r.code, EXIT_OK);
    assert.deepEqual(server.calls[0]?.req, {
      network: { name: 'blue', dhcpOptions: { dnsServers: ['10.0.0.1'], mtu: 1400 } },
      updateMask: ['dhcp_options.dns_servers', 'dhcp_options.mtu'],
    });
  });

  it('pages through every lease with --all', async () => {
    const pages: Record<string, { leases: unknown[]; nextPageToken: string }> = {
      '': { leases: [lease('10.0.0.1', 'a'), lease('10.0.0.2', 'b')], nextPageToken: 't1' },
      t1: { leases: [lease('10.0.0.3', 'c')], nextPageToken: 't2' },
      t2: { leases: [], nextPageToken: '' },
    };
    const server = fakeServer({ ListLeases: (req) => pages[String(req.pageToken ?? '')] });
    const r = await cli(
      ['lease', 'list', '--network', 'blue', '--limit', '2', '--all', '-o', 'json'],
      server,
    );
    assert.equal(r.code, EXIT_OK);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.leases.map((l: { address: string }) => l.address),
      ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
    );
    assert.equal(out.nextPageToken, '');
    assert.deepEqual(
      server.calls.map((c) => c.req),
      [
        { network: 'blue', pageSize: 2 },
        { network: 'blue', pageSize: 2, pageToken: 't1' },
        { network: 'blue', pageSize: 2, pageToken: 't2' },
      ],
    );
  });

  it('shows progress on a terminal while paging, erased before the table; never in -o json or without a terminal', async () => {
    const pages: Record<string, { leases: unknown[]; nextPageToken: string }> = {
      '': { leases: [lease('10.0.0.1', 'a'), lease('10.0.0.2', 'b')], nextPageToken: 't1' },
      t1: { leases: [lease('10.0.0.3', 'c')], nextPageToken: '' },
    };
    const server = () => fakeServer({ ListLeases: (req) => pages[String(req.pageToken ?? '')] });
    const tty = await cli(['lease', 'list', '--all'], server(), {}, { tty: true });
    assert.equal(tty.code, EXIT_OK);
    assert.ok(tty.stderr.startsWith('\r\x1b[Klisting leases…'), JSON.stringify(tty.stderr));
    assert.ok(
      tty.stderr.includes(`${ERASE}listing leases… (2 leases, 1 page(s))`),
      JSON.stringify(tty.stderr),
    );
    assert.ok(tty.stderr.endsWith('\r\x1b[K'), 'the line is erased');
    assert.match(tty.stdout, /^NETWORK /, 'stdout has the table only');
    for (const r of [
      await cli(['lease', 'list', '--all', '-o', 'json'], server(), {}, { tty: true }),
      await cli(['lease', 'list', '--all'], server()),
    ]) {
      assert.equal(r.code, EXIT_OK);
      assert.equal(r.stderr, '');
      assert.ok(!r.stdout.includes('listing') && !r.stdout.includes('\x1b'));
    }
    // A failing call ends the line before the error is written.
    const failing = await cli(
      ['network', 'delete', 'blue', '--force'],
      fakeServer({
        DeleteNetwork: () => {
          throw grpcError(UNAVAILABLE, 'etcd away');
        },
      }),
      {},
      { tty: true },
    );
    assert.equal(failing.code, EXIT_FAILURE);
    assert.ok(
      failing.stderr.startsWith(`${ERASE}deleting network blue and its leases…${ERASE}error: UNAVAILABLE`),
      JSON.stringify(failing.stderr),
    );
  });

  it('lists one page without --all and says there are more', async () => {
    const page = { leases: [lease('10.0.0.1', 'a')], nextPageToken: 't1' };
    const json = await cli(['lease', 'list', '-o', 'json'], fakeServer({ ListLeases: () => page }));
    assert.deepEqual(JSON.parse(json.stdout), page);
    const table = await cli(['lease', 'list'], fakeServer({ ListLeases: () => page }));
    assert.match(table.stdout, /^NETWORK +ADDRESS +CLIENT +MAC +HOSTNAME +STATE +HOST +EXPIRES\n/);
    assert.match(table.stdout, /10\.0\.0\.1 +a +- +- +bound +- +never/);
    assert.match(table.stderr, /more exist: add --all/);
  });

  it('joins usage into the network list, and still lists when usage fails', async () => {
    const list = () => ({ networks: [NETWORK] });
    const usage = () => ({
      networks: [
        {
          network: 'blue',
          cidr: '10.0.0.0/24',
          leases: 3,
          reservations: 0,
          pools: [
            {
              name: 'p',
              start: '10.0.0.1',
              end: '10.0.0.254',
              size: 254,
              used: 3,
              reserved: 0,
              utilization: 3 / 254,
            },
          ],
        },
      ],
    });
    const r = await cli(['network', 'list'], fakeServer({ ListNetworks: list, GetNetworkUsage: usage }));
    assert.match(r.stdout, /^NAME +CIDR +GATEWAY +VNI +POOLS +LEASES/);
    assert.match(r.stdout, /blue +10\.0\.0\.0\/24 +- +4242 +0 +3 +1% +isolated +vxlan/);
    const degraded = await cli(['network', 'list'], fakeServer({ ListNetworks: list }));
    assert.equal(degraded.code, EXIT_OK);
    assert.match(degraded.stdout, /blue +10\.0\.0\.0\/24 +- +4242 +0 +- +- +isolated/);
    const json = await cli(['network', 'list', '-o', 'json'], fakeServer({ ListNetworks: list }));
    assert.deepEqual(JSON.parse(json.stdout), { networks: [NETWORK] });
  });

  it('prints usage bars', async () => {
    const server = fakeServer({
      GetNetworkUsage: (req) => {
        assert.equal(req.name, 'blue');
        return {
          networks: [
            {
              network: 'blue',
              cidr: '10.0.0.0/24',
              leases: 7,
              reservations: 0,
              pools: [
                {
                  name: 'web',
                  start: '10.0.0.1',
                  end: '10.0.0.12',
                  size: 12,
                  used: 7,
                  reserved: 0,
                  utilization: 7 / 12,
                },
              ],
            },
          ],
        };
      },
    });
    const r = await cli(['network', 'usage', 'blue'], server);
    assert.match(r.stdout, /blue +web +10\.0\.0\.1-10\.0\.0\.12 +12 +7 +0 +\[#######-----\] 58%/);
  });

  it('reports server errors as STATUS: message with exit 1', async () => {
    const server = fakeServer({
      CreateNetwork: () => {
        throw grpcError(ALREADY_EXISTS, 'network blue already exists');
      },
    });
    const r = await cli(['network', 'create', 'blue', '--cidr', '10.0.0.0/24'], server);
    assert.equal(r.code, EXIT_FAILURE);
    assert.equal(r.stderr, 'error: ALREADY_EXISTS: network blue already exists\n');
    assert.equal(r.stdout, '');
    assert.equal(server.closed(), 1);
  });

  it('hints at starting ipamd when the server is unavailable', async () => {
    const server = fakeServer({
      ListNetworks: () => {
        throw grpcError(UNAVAILABLE, 'No connection established');
      },
    });
    const r = await cli(['network', 'list', '-o', 'json'], server, { NETSPAN_SERVER: 'ipam.example:7700' });
    assert.equal(r.code, EXIT_FAILURE);
    assert.match(r.stderr, /^error: UNAVAILABLE: No connection established\n/);
    assert.match(r.stderr, /hint: is ipamd running at ipam\.example:7700\? start it with `npm start`/);
  });

  it('takes the server from --server, then NETSPAN_SERVER, then the default; the deadline from --timeout', async () => {
    const ok = { ListNetworks: () => ({ networks: [] }) };
    const a = await cli(['network', 'list'], fakeServer(ok));
    assert.equal(a.server.connects[0]?.server, '127.0.0.1:7700');
    assert.match(a.stderr, /no networks/);
    const b = await cli(['network', 'list'], fakeServer(ok), { NETSPAN_SERVER: 'env:1' });
    assert.equal(b.server.connects[0]?.server, 'env:1');
    const c = await cli(['--server', 'flag:2', 'network', 'list', '--timeout', '2.5'], fakeServer(ok), {
      NETSPAN_SERVER: 'env:1',
    });
    assert.equal(c.server.connects[0]?.server, 'flag:2');
    const left = (c.server.calls[0]?.deadline.getTime() ?? 0) - Date.now();
    assert.ok(left > 1500 && left <= 2500, `deadline in ${left} ms`);
  });
});

describe('run: against a real (closed) port', () => {
  it('fails with UNAVAILABLE and exit 1, no stack trace', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    let stderr = '';
    const code = await run(
      ['lease', 'allocate', 'blue', '--client-id', 'x', '-o', 'json', '--timeout', '10'],
      {
        stdout: { write: () => true },
        stderr: { write: (s: string) => (stderr += s) },
        env: { NETSPAN_SERVER: `127.0.0.1:${port}` },
      },
    );
    assert.equal(code, EXIT_FAILURE);
    assert.match(stderr, /^error: UNAVAILABLE: /);
    assert.match(stderr, new RegExp(`hint: is ipamd running at 127\\.0\\.0\\.1:${port}\\?`));
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
});

describe('run: request ids', () => {
  it('sends one x-request-id with every call of a command, and names it when ipamd fails internally', async () => {
    const md = new Metadata();
    md.set('netspan-server', '1');
    const server = fakeServer({
      ListNetworks: () => ({ networks: [NETWORK] }),
      GetNetworkUsage: () => {
        throw Object.assign(grpcError(13, 'boom'), { metadata: md });
      },
    });
    const ok = await cli(['network', 'list'], server);
    assert.equal(ok.code, EXIT_OK);
    const ids = server.calls.map((c) => c.requestId);
    assert.equal(ids.length, 2);
    assert.match(ids[0] ?? '', /^netspanctl-[0-9a-f]{12}$/);
    assert.equal(ids[1], ids[0]);
    const failed = await cli(['network', 'usage'], server);
    assert.equal(failed.code, EXIT_FAILURE);
    assert.match(failed.stderr, /^error: INTERNAL: boom$/m);
    const id = server.calls.at(-1)?.requestId;
    assert.ok(id && id !== ids[0], 'a new id per command');
    assert.match(failed.stderr, new RegExp(`^hint: ipamd logged this call with "requestId":"${id}"`, 'm'));
  });
});
