import { createServer, type Server } from 'node:net';
import { freePort } from './embedded-postgres';

describe('freePort', () => {
  let taken: Server;
  let takenPort: number;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
    takenPort = (taken.address() as { port: number }).port;
  });

  afterAll(() => new Promise<void>((closed) => taken.close(() => closed())));

  it('hands out the preferred port when it is free', async () => {
    const free = await freePort(0);
    expect(await freePort(free)).toBe(free);
  });

  it('hands out another real port when the preferred one is taken (another clone’s embedded server)', async () => {
    const port = await freePort(takenPort);
    expect(port).not.toBe(takenPort);
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});
