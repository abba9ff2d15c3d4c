import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type CliResult,
  type EtcdHandle,
  freePort,
  type IpamdHandle,
  netspanctl,
  startEtcd,
  startIpamd,
} from '../harness/index.js';

// The real `netspanctl` as an operator or a script runs it: a separate node process, talking gRPC to
// a real ipamd on a real etcd. Exit statuses and the stderr wording are part of the contract here.

const NET = 'cli-net';

type Result = CliResult;

/** Runs `netspanctl ...args`; NETSPAN_SERVER is removed from the environment unless `env` sets it. */
function ctl(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<Result> {
  return netspanctl(args, {
    env: { NETSPAN_SERVER: undefined, NETSPAN_DEBUG: undefined, ...env },
    timeoutMs,
  });
}

/** Asserts the exit status, showing what the command printed when it differs. */
function exited(r: Result, code: number, what: string): void {
  assert.equal(
    r.code,
    code,
    `${what}: exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`,
  );
}

let etcd: EtcdHandle;
let ipamd: IpamdHandle;
/** netspanctl against the suite's ipamd, with --server. */
let run: (...args: string[]) => Promise<Result>;

before(async () => {
  etcd = await startEtcd({ name: 'cli-test' });
  ipamd = await startIpamd({ etcdEndpoints: etcd.endpoints });
  run = (...args) => ctl(['--server', ipamd.grpcAddress, ...args]);
});
after(async () => {
  await ipamd?.stop();
  await etcd?.stop();
});

describe('netspanctl against a real ipamd', () => {
  let first = '';

  it('network create prints the network and exits 0', async () => {
    const r = await run(
      'network',
      'create',
      NET,
      '--cidr',
      '10.77.0.0/24',
      '--gateway',
      '10.77.0.1',
      '--pool',
      '10.77.0.10-10.77.0.99,dyn',
    );
    exited(r, 0, 'network create');
    assert.match(r.stdout, /^name:\s+cli-net$/m);
    assert.match(r.stdout, /^cidr:\s+10\.77\.0\.0\/24$/m);
    assert.match(r.stdout, /^pools:\s+dyn 10\.77\.0\.10-10\.77\.0\.99$/m);
    assert.equal(r.stderr, '');
  });

  it('a second create of the same name exits 1 with ALREADY_EXISTS', async () => {
    const r = await run('network', 'create', NET, '--cidr', '10.78.0.0/24');
    exited(r, 1, 'duplicate network create');
    assert.match(r.stderr, /^error: ALREADY_EXISTS: .*cli-net/m);
    assert.equal(r.stdout, '');
  });

  it('lease allocate -o json prints {lease, created: true}', async () => {
    const r = await run('lease', 'allocate', NET, '--client-id', 'vm1', '-o', 'json');
    exited(r, 0, 'lease allocate');
    const res = JSON.parse(r.stdout) as {
      lease: { address: string; clientId: string; network: string };
      created: boolean;
    };
    assert.equal(res.created, true);
    assert.equal(res.lease.clientId, 'vm1');
    assert.equal(res.lease.network, NET);
    const last = Number(res.lease.address.split('.')[3]);
    assert.match(res.lease.address, /^10\.77\.0\.\d+$/);
    assert.ok(last >= 10 && last <= 99, `${res.lease.address} is outside the pool`);
    first = res.lease.address;
  });

  it('allocating again for the same client returns the same address with created: false', async () => {
    const r = await run('lease', 'allocate', NET, '--client-id', 'vm1', '-o', 'json');
    exited(r, 0, 'repeated lease allocate');
    const res = JSON.parse(r.stdout) as { lease: { address: string }; created: boolean };
    assert.equal(res.created, false);
    assert.equal(res.lease.address, first);
  });

  it('--address held by another client exits 1 with ALREADY_EXISTS', async () => {
    const r = await run('lease', 'allocate', NET, '--address', first, '--client-id', 'vm2', '-o', 'json');
    exited(r, 1, 'allocate of a taken address');
    assert.match(r.stderr, /^error: ALREADY_EXISTS: /m);
    assert.ok(r.stderr.includes(first), r.stderr);
    assert.equal(r.stdout, '');
  });

  it('an unknown flag exits 2 with the usage, before contacting any server', async () => {
    const closed = await freePort();
    const r = await ctl(['--server', `127.0.0.1:${closed}`, 'lease', 'allocate', NET, '--bogus']);
    exited(r, 2, 'unknown flag');
    assert.match(r.stderr, /^error: unknown flag --bogus/m);
    assert.match(r.stderr, /^Usage:\n {2}netspanctl lease allocate /m);
    assert.doesNotMatch(r.stderr, /UNAVAILABLE/);
  });

  it('network usage prints a utilisation bar per pool', async () => {
    const r = await run('network', 'usage', NET);
    exited(r, 0, 'network usage');
    const row = r.stdout.split('\n').find((l) => l.startsWith(NET));
    assert.ok(row, r.stdout);
    assert.match(row, /\bdyn\b/);
    assert.match(row, /10\.77\.0\.10-10\.77\.0\.99\s+90\s+1\s+0\s+\[#*-*\] \d+%$/);
  });

  it('lease list -o json and lease get show the lease', async () => {
    const list = await run('lease', 'list', '--network', NET, '-o', 'json');
    exited(list, 0, 'lease list');
    const page = JSON.parse(list.stdout) as {
      leases: { address: string; clientId: string }[];
      nextPageToken: string;
    };
    assert.deepEqual(
      page.leases.map((l) => [l.address, l.clientId]),
      [[first, 'vm1']],
    );
    assert.equal(page.nextPageToken, '');

    const get = await run('lease', 'get', NET, '--client-id', 'vm1');
    exited(get, 0, 'lease get');
    assert.match(get.stdout, new RegExp(`^address:\\s+${first.replaceAll('.', '\\.')}$`, 'm'));
  });

  it('reservation add, list and remove; a reserved address is refused to others', async () => {
    const mac = '52:54:00:aa:bb:cc';
    const add = await run(
      'reservation',
      'add',
      NET,
      '--mac',
      mac,
      '--address',
      '10.77.0.5',
      '--hostname',
      'db1',
    );
    exited(add, 0, 'reservation add');
    assert.match(add.stdout, /52:54:00:aa:bb:cc\s+10\.77\.0\.5\s+db1/);

    const list = await run('reservation', 'list', NET, '-o', 'json');
    exited(list, 0, 'reservation list');
    const res = JSON.parse(list.stdout) as { reservations: { mac: string; address: string }[] };
    assert.deepEqual(
      res.reservations.map((x) => [x.mac, x.address]),
      [[mac, '10.77.0.5']],
    );

    const taken = await run('lease', 'allocate', NET, '--address', '10.77.0.5', '--client-id', 'vm3');
    exited(taken, 1, 'allocate of a reserved address');
    assert.match(taken.stderr, /^error: FAILED_PRECONDITION: .*reserved/m);

    const remove = await run('reservation', 'remove', NET, '--mac', mac);
    exited(remove, 0, 'reservation remove');
    assert.match(remove.stdout, /removed reservation 52:54:00:aa:bb:cc -> 10\.77\.0\.5/);

    const empty = await run('reservation', 'list', NET);
    exited(empty, 0, 'reservation list after remove');
    assert.equal(empty.stdout, '');
    assert.match(empty.stderr, /no reservations/);
  });

  it('NETSPAN_SERVER replaces --server, and --server wins over it', async () => {
    const viaEnv = await ctl(['network', 'list', '-o', 'json'], { NETSPAN_SERVER: ipamd.grpcAddress });
    exited(viaEnv, 0, 'network list with NETSPAN_SERVER');
    const nets = JSON.parse(viaEnv.stdout) as { networks: { name: string }[] };
    assert.deepEqual(
      nets.networks.map((n) => n.name),
      [NET],
    );

    const closed = await freePort();
    const flagWins = await ctl(['--server', ipamd.grpcAddress, 'network', 'get', NET], {
      NETSPAN_SERVER: `127.0.0.1:${closed}`,
    });
    exited(flagWins, 0, 'network get with --server over a dead NETSPAN_SERVER');
  });

  it('network delete needs --force while leases exist', async () => {
    const refused = await run('network', 'delete', NET);
    exited(refused, 1, 'network delete without --force');
    assert.match(refused.stderr, /^error: FAILED_PRECONDITION: .*lease/m);

    const forced = await run('network', 'delete', NET, '--force');
    exited(forced, 0, 'network delete --force');
    assert.match(forced.stdout, /network cli-net deleted \(1 leases deleted\)/);

    const gone = await run('network', 'get', NET);
    exited(gone, 1, 'network get after delete');
    assert.match(gone.stderr, /^error: NOT_FOUND: /m);
  });

  it('a server that is not there exits 1 with UNAVAILABLE and a hint', async () => {
    const closed = await freePort();
    const server = `127.0.0.1:${closed}`;
    for (const r of [
      await ctl(['--server', server, 'network', 'list']),
      await ctl(['network', 'list'], { NETSPAN_SERVER: server }),
    ]) {
      exited(r, 1, 'network list against a closed port');
      assert.match(r.stderr, /^error: UNAVAILABLE: /m);
      assert.ok(r.stderr.includes(`hint: is ipamd running at ${server}?`), r.stderr);
      assert.equal(r.stdout, '');
    }
  });
});
