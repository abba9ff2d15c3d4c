import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MethodDefinition } from '@grpc/grpc-js';
import { loadNetspan } from './proto.js';
import { netspanDefinition } from './reflection.js';

type Method = MethodDefinition<object, object>;

/** Messages that exercise oneofs, enums, 64-bit integers, repeated and nested fields. */
const SAMPLES: Array<{ service: string; method: string; request?: object; response?: object }> = [
  {
    service: 'AgentService',
    method: 'Session',
    request: { hello: { hostId: 'h1', vtepAddress: '10.0.0.1', networks: ['a', 'b'], underlayMtu: 9000 } },
    response: {
      desiredState: {
        revision: 2 ** 40 + 3,
        peers: [{ hostId: 'h1', vtepAddress: '10.0.0.1', networks: ['a'] }],
        networks: [{ name: 'a', cidr: '10.1.0.0/24', vni: 100 }],
        guests: [],
      },
    },
  },
  {
    service: 'AgentService',
    method: 'Relay',
    request: { id: 7, network: 'a', packet: Buffer.from([1, 2, 3]) },
    response: { id: 7, delivery: 'DELIVERY_BROADCAST', dstMac: 'ff:ff:ff:ff:ff:ff' },
  },
  {
    service: 'NetworkService',
    method: 'CreateNetwork',
    request: { network: { name: 'n', cidr: '10.2.0.0/16' } },
  },
];

describe('loadNetspan (from the generated descriptor)', () => {
  const ours = loadNetspan() as unknown as Record<string, { service: Record<string, Method> }>;
  const loader = netspanDefinition();

  it('has every service and method proto-loader finds in proto/, with the same paths and streaming', () => {
    const services = Object.entries(loader).filter(([, v]) => !('format' in v));
    assert.ok(services.length >= 5);
    for (const [name, def] of services) {
      const short = name.replace('netspan.v1.', '');
      const mine = ours[short]?.service;
      assert.ok(mine, `service ${short}`);
      const theirs = def as unknown as Record<string, Method>;
      assert.deepEqual(Object.keys(mine).sort(), Object.keys(theirs).sort(), short);
      for (const [m, t] of Object.entries(theirs)) {
        const o = mine[m] as Method;
        assert.equal(o.path, t.path);
        assert.equal(o.requestStream, t.requestStream);
        assert.equal(o.responseStream, t.responseStream);
        assert.equal(o.originalName, t.originalName);
      }
    }
  });

  it('encodes and decodes exactly as proto-loader does', () => {
    for (const s of SAMPLES) {
      const mine = ours[s.service]?.service[s.method] as Method;
      const theirs = (loader[`netspan.v1.${s.service}`] as unknown as Record<string, Method>)[
        s.method
      ] as Method;
      for (const [value, enc, dec] of [
        [s.request, 'requestSerialize', 'requestDeserialize'],
        [s.response, 'responseSerialize', 'responseDeserialize'],
      ] as const) {
        if (!value) continue;
        const bytes = theirs[enc](value);
        assert.deepEqual(mine[enc](value), bytes, `${s.method} ${enc}`);
        assert.deepEqual(mine[dec](bytes), theirs[dec](bytes), `${s.method} ${dec}`);
      }
    }
  });
});
