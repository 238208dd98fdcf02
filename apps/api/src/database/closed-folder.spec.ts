import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedToOthers } from './closed-folder';

describe('closedToOthers', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'closed-folder-'));
    chmodSync(root, 0o755);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names the first folder others may not enter, like a clone inside root’s 0700 home', () => {
    const home = join(root, 'home');
    mkdirSync(join(home, 'clone', '.data'), { recursive: true });
    chmodSync(home, 0o700);
    expect(closedToOthers(join(home, 'clone', '.data'))).toEqual({ folder: home, mode: '0700' });
  });

  it('finds nothing when every folder on the way may be entered, including one not made yet', () => {
    mkdirSync(join(root, 'clone'), { mode: 0o755 });
    expect(closedToOthers(join(root, 'clone', '.data'))).toBeNull();
  });
});
