import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeRecovered, ownerStatus, parseOwner } from '../../src/engine/liveness.js';
import { processOwner } from '../../src/study/study.js';
import { REPO } from '../helpers/temp.js';

/** A pid that surely is gone: a child that has exited and been reaped. */
function gonePid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('owner names', () => {
  it('are host:pid:nonce, the nonce random per process and the same for all of its studies', () => {
    const owner = processOwner();
    expect(owner).toMatch(new RegExp(`^${hostname()}:${process.pid}:[0-9a-f]{12}$`));
    expect(processOwner()).toBe(owner);
    // Another process (the built module, as a run loads it) has another pid and another nonce.
    const child = spawnSync(process.execPath, ['--input-type=module', '-e',
      `import { processOwner } from ${JSON.stringify(pathToFileURL(join(REPO, 'dist', 'study', 'study.js')).href)}; process.stdout.write(processOwner());`], { encoding: 'utf8' });
    const theirs = parseOwner(child.stdout)!;
    expect(theirs.host).toBe(hostname());
    expect(theirs.pid).not.toBe(process.pid);
    expect(theirs.nonce).toMatch(/^[0-9a-f]{12}$/);
    expect(theirs.nonce).not.toBe(parseOwner(owner)!.nonce);
  });

  it('are taken apart from the right, also the host:pid of older hpsearch versions and host names with colons', () => {
    expect(parseOwner('box:123:ab12cd')).toEqual({ host: 'box', pid: 123, nonce: 'ab12cd' });
    expect(parseOwner('box:123')).toEqual({ host: 'box', pid: 123, nonce: null });
    expect(parseOwner('fe80::1:123:ab12cd')).toEqual({ host: 'fe80::1', pid: 123, nonce: 'ab12cd' });
    for (const bad of ['box', ':123', 'box:0:ab', 'box:x:ab', '']) expect(parseOwner(bad), bad).toBeNull();
  });
});

describe('ownerStatus', () => {
  const self = processOwner();

  it('is self for this run, and dead for a gone pid of this host, with or without a nonce', () => {
    expect(ownerStatus(self, self)).toBe('self');
    const gone = gonePid();
    expect(ownerStatus(`${hostname()}:${gone}:ab12cd`, self)).toBe('dead');
    expect(ownerStatus(`${hostname()}:${gone}`, self)).toBe('dead');
  });

  it("is dead for this process's own pid under another nonce: an earlier process that had this pid", () => {
    expect(ownerStatus(`${hostname()}:${process.pid}:0ldrun`, self)).toBe('dead');
    expect(ownerStatus(`${hostname()}:${process.pid}`, self)).toBe('dead');
  });

  it('cannot tell for a live pid (it may have been reused) nor for another host: heartbeats decide', () => {
    expect(ownerStatus(`${hostname()}:${process.ppid}:ab12cd`, self)).toBe('unknown');
    expect(ownerStatus(`elsewhere:${gonePid()}:ab12cd`, self)).toBe('unknown');
    expect(ownerStatus('not an owner', self)).toBe('unknown');
  });
});

describe('describeRecovered', () => {
  it('says which trials of which run were requeued and why', () => {
    expect(describeRecovered([
      { number: 3, owner: 'a:1:x', reason: 'no-heartbeat' },
      { number: 5, owner: 'a:1:x', reason: 'no-heartbeat' },
      { number: 4, owner: 'b:2:y', reason: 'dead-owner' },
    ])).toBe('requeued 3 trials left running by a run that died: 3, 5 of a:1:x (no heartbeat); 4 of b:2:y (no longer running); they run again with the same params');
  });
});
