/**
 * Starts an HTTP server on a host and port; when the port is taken, tries the
 * next ones, so a second copy or another program on 4310 does not stop the
 * shop from working. Port 0 asks the OS for any free port (tests).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  server: Server;
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function listenWithFallback(
  handler: RequestListener,
  host: string,
  port: number,
  attempts = 20,
): Promise<Listening> {
  let lastError: unknown;
  for (let i = 0; i < (port === 0 ? 1 : attempts); i++) {
    const candidate = port === 0 ? 0 : port + i;
    if (candidate > 65535) break;
    try {
      return await listenOnce(handler, host, candidate);
    } catch (error) {
      lastError = error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') break;
    }
  }
  const reason = (lastError as Error | undefined)?.message ?? 'unknown reason';
  throw new Error(`Could not listen on ${host} from port ${port}: ${reason}`);
}

function listenOnce(handler: RequestListener, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    // Slow or stalled clients must not hold sockets for ever.
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    server.keepAliveTimeout = 5_000;
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        server,
        host: address.address,
        port: address.port,
        url: `http://${shownHost}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
