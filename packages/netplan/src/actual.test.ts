import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddresses, parseFdb, parseHasTable, parseLinks, readActual } from './actual.js';
import { CommandFailedError, NetplanError } from './errors.js';
import { actualOf, fixtureRunner, loadFixture } from './test-fixtures.js';

const converged = loadFixture('converged');
const empty = loadFixture('empty');

describe('parseLinks (captured ip -j -d link show)', () => {
  const links = parseLinks(converged.links);
  const byName = new Map(links.map((l) => [l.name, l]));

  it('reads a bridge', () => {
    const br = byName.get('nsbr100');
    assert.ok(br);
    assert.equal(br.kind, 'bridge');
    assert.equal(br.mac, '02:6e:73:00:00:64');
    assert.equal(br.mtu, 1450);
    assert.equal(br.alias, 'lab');
    assert.equal(br.addrGenMode, 'none');
    assert.equal(br.up, true);
  });

  it('reads a VXLAN port with its immutable attributes', () => {
    const vx = byName.get('nsvx100');
    assert.ok(vx);
    assert.equal(vx.kind, 'vxlan');
    assert.equal(vx.master, 'nsbr100');
    assert.deepEqual(vx.vxlan, { id: 100, local: '10.99.0.1', port: 4789, learning: true, link: 'u0' });
  });

  it('reads devices it does not own as they are', () => {
    const guestPort = byName.get('vm0');
    assert.equal(guestPort?.kind, 'veth');
    assert.equal(guestPort?.master, 'nsbr100');
    assert.equal(byName.get('lo')?.kind, undefined);
  });

  it('throws INTERNAL on output that is not a JSON array, accepts empty output', () => {
    assert.throws(
      () => parseLinks('{"not":"an array"}'),
      (e: unknown) => e instanceof NetplanError && e.code === 'INTERNAL',
    );
    assert.throws(() => parseLinks('[{"ifname":'), NetplanError);
    assert.deepEqual(parseLinks(''), []);
  });
});

describe('parseAddresses', () => {
  it('reads the /32 service address on each bridge', () => {
    const onBridges = parseAddresses(converged.addresses).filter((a) => a.dev.startsWith('nsbr'));
    assert.deepEqual(onBridges.map((a) => `${a.dev} ${a.family} ${a.local}/${a.prefixlen}`).sort(), [
      'nsbr100 inet 10.20.0.1/32',
      'nsbr16777215 inet 10.30.0.1/32',
    ]);
  });
});

describe('parseFdb', () => {
  const fdb = parseFdb(converged.fdb);

  it('tells flood, static and learned VXLAN entries apart', () => {
    const vx = fdb.filter((e) => e.dev === 'nsvx100' && e.dst !== undefined);
    const flood = vx.filter((e) => e.mac === '00:00:00:00:00:00').map((e) => e.dst);
    assert.deepEqual(flood.sort(), ['10.99.0.2', '10.99.0.3']);
    const statics = vx.filter((e) => e.state === 'static');
    assert.deepEqual(
      statics.map((e) => [e.mac, e.dst]),
      [['52:54:00:aa:bb:cc', '10.99.0.3']],
    );
    // Learned by the ping across the tunnel: iproute2 prints state "" for these.
    const learned = vx.filter((e) => e.mac !== '00:00:00:00:00:00' && e.state === undefined);
    assert.equal(learned.length, 1);
    assert.equal(learned[0]?.dst, '10.99.0.2');
  });
});

describe('parseHasTable', () => {
  it('finds the netspan table only when it is listed', () => {
    assert.equal(parseHasTable(converged.nftTables), true);
    assert.equal(parseHasTable(empty.nftTables), false);
    assert.throws(() => parseHasTable('nope'), NetplanError);
  });
});

describe('readActual', () => {
  it('runs the four reads and lists the table when it exists', async () => {
    const runner = fixtureRunner(converged);
    const actual = await readActual(runner);
    assert.deepEqual(actual, actualOf(converged));
    assert.ok(runner.calls.some((c) => c.argv.join(' ') === 'nft list table bridge netspan'));
  });

  it('does not list a table that does not exist', async () => {
    const runner = fixtureRunner(empty);
    const actual = await readActual(runner);
    assert.equal(actual.nft, null);
    assert.ok(!runner.calls.some((c) => c.argv.join(' ') === 'nft list table bridge netspan'));
  });

  it('throws CommandFailedError when a read fails', async () => {
    const runner = {
      async run(argv: string[]) {
        return argv[0] === 'bridge'
          ? { stdout: '', stderr: 'boom', code: 2 }
          : fixtureRunner(converged).run(argv);
      },
    };
    await assert.rejects(
      readActual(runner),
      (e: unknown) => e instanceof CommandFailedError && e.exitCode === 2,
    );
  });
});
