import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { observePlumbing } from './observe.js';
import { actualOf, loadFixture } from './test-fixtures.js';

describe('observePlumbing', () => {
  it('reports each network of a converged host: bridge, tunnel and flood VTEPs, by VNI', () => {
    assert.deepEqual(observePlumbing(actualOf(loadFixture('converged'))), [
      { network: 'lab', vni: 100, bridge: true, tunnel: true, floodVteps: ['10.99.0.2', '10.99.0.3'] },
      { network: 'db', vni: 16777215, bridge: true, tunnel: true, floodVteps: ['10.99.0.2'] },
    ]);
  });

  it('reports nothing on a host without netspan plumbing', () => {
    assert.deepEqual(observePlumbing(actualOf(loadFixture('empty'))), []);
  });

  it('sees a missing flood entry, a VXLAN device off its bridge and a bridge that is down', () => {
    const actual = actualOf(loadFixture('converged'));
    actual.fdb = actual.fdb.filter((e) => !(e.dev === 'nsvx100' && e.dst === '10.99.0.3'));
    actual.links = actual.links.map((l) =>
      l.name === 'nsvx16777215'
        ? { ...l, master: undefined }
        : l.name === 'nsbr100'
          ? { ...l, up: false }
          : l,
    );
    assert.deepEqual(observePlumbing(actual), [
      { network: 'lab', vni: 100, bridge: false, tunnel: true, floodVteps: ['10.99.0.2'] },
      { network: 'db', vni: 16777215, bridge: true, tunnel: false, floodVteps: ['10.99.0.2'] },
    ]);
  });

  it('names a network by VNI alone when only its VXLAN device is left', () => {
    const actual = actualOf(loadFixture('converged'));
    actual.links = actual.links.filter((l) => l.name !== 'nsbr16777215');
    const db = observePlumbing(actual).find((o) => o.vni === 16777215);
    assert.deepEqual(db, {
      network: '',
      vni: 16777215,
      bridge: false,
      tunnel: false,
      floodVteps: ['10.99.0.2'],
    });
  });
});
