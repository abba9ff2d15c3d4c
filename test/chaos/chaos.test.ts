import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDuplicates } from './chaos.js';

describe('the chaos checker', () => {
  it('accepts re-ACKs to the holder and hand-overs after a release', () => {
    const acks = [
      { client: 'a', address: '10.0.0.1', at: 1 },
      { client: 'a', address: '10.0.0.1', at: 5 },
      { client: 'b', address: '10.0.0.1', at: 9 },
    ];
    assert.deepEqual(findDuplicates(acks, [{ client: 'a', address: '10.0.0.1', at: 9 }]), []);
  });

  it('finds an address ACKed to a second client while the first still held it', () => {
    const acks = [
      { client: 'a', address: '10.0.0.1', at: 1 },
      { client: 'b', address: '10.0.0.1', at: 3 },
      { client: 'c', address: '10.0.0.2', at: 3 },
    ];
    assert.deepEqual(findDuplicates(acks, [{ client: 'a', address: '10.0.0.1', at: 4 }]), [
      '10.0.0.1: ACKed to b while a held it',
    ]);
    // A release of another address does not end the hold.
    assert.equal(findDuplicates(acks, [{ client: 'a', address: '10.0.0.9', at: 2 }]).length, 1);
  });
});
