import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressLine } from './progress.js';

describe('ProgressLine', () => {
  it('redraws in place with the seconds taken and the latest detail, then erases itself', async () => {
    let out = '';
    let now = 0;
    const line = new ProgressLine({ write: (s: string) => (out += s) }, true, () => now, 5);
    const p = line.start('auditing every network');
    now = 2500;
    await new Promise((r) => setTimeout(r, 20));
    p.update('half way');
    p.done();
    p.update('ignored after done');
    const ERASE = '\r\x1b[K';
    assert.ok(
      out.startsWith(`${ERASE}auditing every network…${ERASE}auditing every network… (2s)`),
      JSON.stringify(out),
    );
    assert.ok(out.endsWith('\r\x1b[Kauditing every network… (half way, 2s)\r\x1b[K'), JSON.stringify(out));
    const len = out.length;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(out.length, len, 'no redraw after done');
  });

  it('writes nothing when disabled (not a terminal, or -o json)', () => {
    let out = '';
    const p = new ProgressLine({ write: (s: string) => (out += s) }, false).start('x');
    p.update('y');
    p.done();
    assert.equal(out, '');
  });
});
