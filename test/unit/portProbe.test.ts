import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { portOpen, whenPortOpens } from '../../src/cli/portProbe';

// Real TCP on 127.0.0.1: a port taken and freed by the test, so "closed" is a port nothing listens on.
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function listen(port: number): Promise<net.Server> {
  const s = net.createServer((c) => c.destroy());
  return new Promise((r) => s.listen(port, '127.0.0.1', () => r(s)));
}

const close = (s: net.Server): Promise<void> => new Promise((r) => s.close(() => r()));

describe('whenPortOpens (a stopped Dolt server coming back)', () => {
  it('calls back once when the port starts listening; not before', async () => {
    const port = await freePort();
    assert.equal(await portOpen(port), false);
    let calls = 0;
    const w = whenPortOpens(port, '127.0.0.1', () => calls++, 50);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(calls, 0);
    const server = await listen(port);
    try {
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(calls, 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(calls, 1, 'called again');
    } finally {
      w.dispose();
      await close(server);
    }
  });

  it('a port already open: called at once', async () => {
    const server = await listen(await freePort());
    try {
      let calls = 0;
      whenPortOpens((server.address() as net.AddressInfo).port, '127.0.0.1', () => calls++, 50);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(calls, 1);
    } finally {
      await close(server);
    }
  });

  it('disposed: never calls back', async () => {
    const port = await freePort();
    let calls = 0;
    const w = whenPortOpens(port, '127.0.0.1', () => calls++, 50);
    await new Promise((r) => setTimeout(r, 120));
    w.dispose();
    const server = await listen(port);
    try {
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(calls, 0);
    } finally {
      await close(server);
    }
  });
});
