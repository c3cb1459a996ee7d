/**
 * The renderer's one way to the backend. In the desktop app the preload
 * exposes `window.constintel.invoke` (IPC); in a browser the same commands go
 * to `POST /rpc/<command>` on the loopback UI server, authorised by the
 * cookie the printed link set.
 */
import { type Client, createClient, type Transport } from '../../shared/contract/client';
import type { WireResponse } from '../../shared/contract/errors';

interface Bridge {
  invoke(name: string, input: unknown): Promise<WireResponse>;
}

declare global {
  interface Window {
    constintel?: Bridge;
  }
}

const ipcTransport =
  (bridge: Bridge): Transport =>
  (name, input) =>
    bridge.invoke(name, input);

const httpTransport: Transport = async (name, input) => {
  let response: Response;
  try {
    response = await fetch(`/rpc/${encodeURIComponent(name)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    });
  } catch {
    return {
      ok: false,
      error: { kind: 'unavailable', message: 'ConstIntel is not answering. Is it still running?' },
    };
  }
  try {
    return (await response.json()) as WireResponse;
  } catch {
    return {
      ok: false,
      error: { kind: 'internal', message: `ConstIntel answered ${response.status} without details.` },
    };
  }
};

export const client: Client = createClient(window.constintel ? ipcTransport(window.constintel) : httpTransport);
