/**
 * A stand-in for the shop's tunnel, on loopback: an https server with a self-signed certificate (made once with
 * openssl for 127.0.0.1 and localhost, valid for a century, kept here so tests need no openssl) that passes every
 * request on to a target http server as it is — what Cloudflare Tunnel or ngrok do for the ingest listener. Tests
 * trust the certificate by giving TUNNEL_CA to the call that needs it. `httpsPeer` answers each request itself
 * instead (another server at the public address).
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgv+dv2nobWbHvDTAO
MNWcbBwp0HX0+XHWGwjFQh8E3xmhRANCAAQvZI2Hmu+ExgisAiM08de3uVcW4Tsi
nwlKXRVoW5WQYW09oP+MU8Os3ecMVvhltYVLOne8eF8i+F+nbECJJ9WJ
-----END PRIVATE KEY-----
`;

/** The tunnel's certificate, to trust it. */
export const TUNNEL_CA = `-----BEGIN CERTIFICATE-----
MIIBtDCCAVugAwIBAgIUYMrZ/HdMi2i3C8XQRqEN4IIglXEwCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWQ29uc3RJbnRlbCB0ZXN0IHR1bm5lbDAgFw0yNjEyMDYxODI2
NThaGA8yMTI2MTExMjE4MjY1OFowITEfMB0GA1UEAwwWQ29uc3RJbnRlbCB0ZXN0
IHR1bm5lbDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABC9kjYea74TGCKwCIzTx
17e5VxbhOyKfCUpdFWhblZBhbT2g/4xTw6zd5wxW+GW1hUs6d7x4XyL4X6dsQIkn
1YmjbzBtMB0GA1UdDgQWBBRqa17gRv2In/FS7iNS0ek5NwK02TAfBgNVHSMEGDAW
gBRqa17gRv2In/FS7iNS0ek5NwK02TAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQT
MBGHBH8AAAGCCWxvY2FsaG9zdDAKBggqhkjOPQQDAgNHADBEAiBSHvUVAgMOmF1O
gg5WttQUkw9QiU03LJBZquygcmZsEgIgY5wEyzFq1QY/JXEB0opcJH97RrM+t9Lj
pAqlI7C97l4=
-----END CERTIFICATE-----
`;

export interface HttpsPeer {
  /** https://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

export async function httpsPeer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<HttpsPeer> {
  const server: Server = createServer({ key: KEY, cert: TUNNEL_CA }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An https tunnel to `target` (an http origin such as the ingest listener's URL). */
export function publicTunnel(target: string): Promise<HttpsPeer> {
  const to = new URL(target);
  return httpsPeer((req, res) => {
    const upstream = httpRequest(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('Bad gateway: the tunnel could not reach its target.');
    });
    req.pipe(upstream);
  });
}
