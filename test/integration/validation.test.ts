/**
 * Every unary gRPC method refuses bad arguments with INVALID_ARGUMENT and a message (and
 * `netspan-field` trailer) naming the field; the stored state is untouched afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClients, NetspanClientError, type NetspanClients, unary } from '@netspan/api';
import { type EtcdHandle, type IpamdHandle, startEtcd, startIpamd } from '../harness/index.js';

let etcd: EtcdHandle;
let ipamd: IpamdHandle;
let c: NetspanClients;

before(async () => {
  etcd = await startEtcd({ name: 'validation' });
  ipamd = await startIpamd({ etcdEndpoints: etcd.endpoints });
  c = createClients(ipamd.grpcAddress);
  await unary(c.network, c.network.CreateNetwork, { network: { name: 'valid', cidr: '10.90.0.0/24' } });
});
after(async () => {
  c?.close();
  await ipamd?.stop();
  await etcd?.stop();
});

type Call = (c: NetspanClients) => Promise<unknown>;
interface Case {
  name: string;
  call: Call;
  field: string;
}

const net =
  (network: Record<string, unknown>): Call =>
  (c) =>
    unary(c.network, c.network.CreateNetwork, { network: { name: 'n1', cidr: '10.91.0.0/24', ...network } });

const CASES: Case[] = [
  // NetworkService
  {
    name: 'CreateNetwork without a network',
    call: (c) => unary(c.network, c.network.CreateNetwork, {}),
    field: 'network',
  },
  { name: 'CreateNetwork bad name', call: net({ name: 'Bad_Name' }), field: 'name' },
  { name: 'CreateNetwork bad cidr', call: net({ cidr: '10.0.0.0/33' }), field: 'cidr' },
  { name: 'CreateNetwork gateway outside', call: net({ gateway: '10.1.0.1' }), field: 'gateway' },
  {
    name: 'CreateNetwork reversed pool',
    call: net({ pools: [{ start: '10.91.0.20', end: '10.91.0.10' }] }),
    field: 'pools[0]',
  },
  { name: 'CreateNetwork lease time', call: net({ leaseTimeSeconds: 5 }), field: 'lease_time_seconds' },
  { name: 'CreateNetwork mtu', call: net({ dhcpOptions: { mtu: 100 } }), field: 'dhcp_options.mtu' },
  { name: 'CreateNetwork vlan id without vlan', call: net({ vlanId: 5 }), field: 'vlan_id' },
  {
    name: 'CreateNetwork service address',
    call: net({ serviceAddress: '10.91.0.255' }),
    field: 'service_address',
  },
  { name: 'CreateNetwork domain', call: net({ domain: 'not a name' }), field: 'domain' },
  {
    name: 'GetNetwork bad name',
    call: (c) => unary(c.network, c.network.GetNetwork, { name: '' }),
    field: 'name',
  },
  {
    name: 'UpdateNetwork unknown mask',
    call: (c) =>
      unary(c.network, c.network.UpdateNetwork, {
        network: { name: 'valid', cidr: '10.90.0.0/24' },
        updateMask: ['nonsense'],
      }),
    field: 'update_mask',
  },
  {
    name: 'UpdateNetwork immutable cidr',
    call: (c) =>
      unary(c.network, c.network.UpdateNetwork, {
        network: { name: 'valid', cidr: '10.99.0.0/24' },
        updateMask: ['cidr'],
      }),
    field: 'cidr',
  },
  {
    name: 'DeleteNetwork bad name',
    call: (c) => unary(c.network, c.network.DeleteNetwork, { name: 'A B' }),
    field: 'name',
  },
  {
    name: 'GetNetworkUsage bad name',
    call: (c) => unary(c.network, c.network.GetNetworkUsage, { name: '-x' }),
    field: 'name',
  },
  // IpamService
  {
    name: 'Allocate bad network',
    call: (c) => unary(c.ipam, c.ipam.Allocate, { network: '' }),
    field: 'network',
  },
  {
    name: 'Allocate bad address',
    call: (c) => unary(c.ipam, c.ipam.Allocate, { network: 'valid', clientId: 'x', address: '10.90.0.999' }),
    field: 'address',
  },
  {
    name: 'Allocate ttl',
    call: (c) => unary(c.ipam, c.ipam.Allocate, { network: 'valid', clientId: 'x', ttlSeconds: 999_999_999 }),
    field: 'ttl_seconds',
  },
  {
    name: 'Allocate unknown pool',
    call: (c) => unary(c.ipam, c.ipam.Allocate, { network: 'valid', clientId: 'x', pool: 'nope' }),
    field: 'pool',
  },
  {
    name: 'Allocate client id too long',
    call: (c) => unary(c.ipam, c.ipam.Allocate, { network: 'valid', clientId: 'x'.repeat(300) }),
    field: 'client_id',
  },
  {
    name: 'Release nothing named',
    call: (c) => unary(c.ipam, c.ipam.Release, { network: 'valid' }),
    field: 'address',
  },
  {
    name: 'GetLease bad address',
    call: (c) => unary(c.ipam, c.ipam.GetLease, { network: 'valid', address: 'abc' }),
    field: 'address',
  },
  {
    name: 'ListLeases page size',
    call: (c) => unary(c.ipam, c.ipam.ListLeases, { network: 'valid', pageSize: 5000 }),
    field: 'page_size',
  },
  {
    name: 'ListLeases page token',
    call: (c) => unary(c.ipam, c.ipam.ListLeases, { network: 'valid', pageToken: '%%%' }),
    field: 'page_token',
  },
  {
    name: 'AddReservation bad mac',
    call: (c) =>
      unary(c.ipam, c.ipam.AddReservation, {
        reservation: { network: 'valid', mac: 'zz', address: '10.90.0.5' },
      }),
    field: 'mac',
  },
  {
    name: 'AddReservation missing address',
    call: (c) =>
      unary(c.ipam, c.ipam.AddReservation, { reservation: { network: 'valid', mac: '02:00:00:00:00:01' } }),
    field: 'address',
  },
  {
    name: 'RemoveReservation bad mac',
    call: (c) => unary(c.ipam, c.ipam.RemoveReservation, { network: 'valid', mac: 'nope' }),
    field: 'mac',
  },
  {
    name: 'ListReservations bad network',
    call: (c) => unary(c.ipam, c.ipam.ListReservations, { network: 'Bad!' }),
    field: 'network',
  },
  // AdminService
  {
    name: 'CreateToken ttl',
    call: (c) => unary(c.admin, c.admin.CreateToken, { ttlSeconds: 999_999_999 }),
    field: 'ttl_seconds',
  },
  {
    name: 'CreateToken host',
    call: (c) => unary(c.admin, c.admin.CreateToken, { hostId: 'Not Valid' }),
    field: 'host_id',
  },
  { name: 'RevokeToken empty id', call: (c) => unary(c.admin, c.admin.RevokeToken, { id: '' }), field: 'id' },
];

describe('INVALID_ARGUMENT naming the field, method by method', () => {
  for (const tc of CASES) {
    it(tc.name, async () => {
      let err: NetspanClientError | undefined;
      try {
        await tc.call(c);
      } catch (e) {
        err = NetspanClientError.from(e);
      }
      assert.ok(err, 'the call was refused');
      assert.equal(err.statusName, 'INVALID_ARGUMENT', err.details);
      assert.ok(err.details.includes(tc.field), `${JSON.stringify(err.details)} names ${tc.field}`);
      assert.equal(
        err.field?.split(/[.[]/)[0],
        tc.field.split(/[.[]/)[0],
        `netspan-field trailer: ${err.field}`,
      );
    });
  }

  it('leaves the stored state as it was', async () => {
    const list = await unary(c.network, c.network.ListNetworks, {});
    assert.deepEqual(
      list.networks.map((n) => n.name),
      ['valid'],
    );
    const leases = await unary(c.ipam, c.ipam.ListLeases, { network: 'valid' });
    assert.equal(leases.leases.length, 0);
  });
});
