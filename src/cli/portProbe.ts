import * as net from 'node:net';

/** True when something accepts TCP connections on host:port within the timeout (no process is spawned). */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Calls `opened` once host:port accepts connections, trying now and then every `everyMs` (a TCP connect, no
 * process): how a view notices a stopped Dolt server coming back. Dispose to stop trying.
 */
export function whenPortOpens(port: number, host: string, opened: () => void, everyMs = 2000): { dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const attempt = (): void => {
    void portOpen(port, host).then((open) => {
      if (done) {
        return;
      }
      if (open) {
        done = true;
        opened();
      } else {
        timer = setTimeout(attempt, everyMs);
      }
    });
  };
  attempt();
  return {
    dispose: () => {
      done = true;
      clearTimeout(timer);
    },
  };
}
