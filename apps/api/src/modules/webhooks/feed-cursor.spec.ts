import { FeedCursors } from './feed-cursor';

const NORFOLK = '6f1c1d2e-0c1b-4c53-a4a8-3f5f0b9c2d10';
const KENT = '0b6a2f44-52a4-4b43-9d3c-5f2f9f0f6c11';

describe('FeedCursors', () => {
  const cursors = new FeedCursors('test-secrets-key-that-is-long-enough-for-aes');

  it('opens what it sealed for the same organisation, and seals a position the same way each time', () => {
    for (const position of ['0', '1', '146', '9223372036854775807']) {
      const cursor = cursors.seal(NORFOLK, position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]{48}$/);
      expect(cursors.open(NORFOLK, cursor)).toBe(position);
      expect(cursors.seal(NORFOLK, position)).toBe(cursor);
    }
  });

  it('does not show the position: neighbouring positions and other organisations look unrelated', () => {
    const [first, second] = [cursors.seal(NORFOLK, '146'), cursors.seal(NORFOLK, '147')];
    expect(Buffer.from(first, 'base64url').toString('latin1')).not.toContain('146');
    const sharedPrefix = [...first].findIndex((char, i) => char !== second[i]);
    expect(sharedPrefix).toBeLessThan(3);
    expect(cursors.seal(KENT, '146')).not.toBe(first);
  });

  it('refuses another organisation’s cursor, an altered one, a forged one and one sealed under another key', () => {
    const cursor = cursors.seal(KENT, '146');
    expect(cursors.open(NORFOLK, cursor)).toBeNull();
    const bytes = Buffer.from(cursor, 'base64url');
    for (let i = 0; i < bytes.length; i += 1) {
      const altered = Buffer.from(bytes);
      altered[i] ^= 0x01;
      expect([i, cursors.open(KENT, altered.toString('base64url'))]).toEqual([i, null]);
    }
    expect(cursors.open(KENT, Buffer.from('s:146').toString('base64url'))).toBeNull();
    expect(cursors.open(KENT, cursor.slice(0, -4))).toBeNull();
    expect(cursors.open(KENT, `${cursor.slice(0, -1)}${cursor.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(new FeedCursors('another-secrets-key-that-is-long-enough-too').open(KENT, cursor)).toBeNull();
  });
});
