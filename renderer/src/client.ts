/**
 * The renderer's one way to the backend. In the desktop app the preload
 * exposes `window.constintel.invoke` (IPC); in a browser the same commands go
 * to `POST /rpc/<command>` on the loopback UI server with the access key as
 * `Authorization: Bearer`. The key comes from the printed link's fragment
 * (`/#token=…`, never sent to a server) and is kept in this tab's
 * sessionStorage, which only this origin (port included) can read; no cookie
 * carries it, since other local servers would receive that (see
 * main/core/http/ui-server.ts).
 */
import { type Client, createClient, type Transport } from '../../shared/contract/client';
import { AppError, isWireError, type WireResponse } from '../../shared/contract/errors';

interface Bridge {
  invoke(name: string, input: unknown): Promise<WireResponse>;
}

declare global {
  interface Window {
    constintel?: Bridge;
  }
}

const ACCESS_KEY = 'constintel.accessKey';
/** The key for this page's life, in case the browser refuses sessionStorage. */
let accessKey: string | undefined;

/**
 * Moves the key from the address (`#token=…`) into this tab's sessionStorage and takes it out of the address bar,
 * so it is neither in the history entry nor in an address copied from the bar. Called once, before the app renders.
 */
export function takeAccessKeyFromLink(): void {
  const given = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (!given) return;
  accessKey = given;
  try {
    window.sessionStorage.setItem(ACCESS_KEY, given);
  } catch {
    // Storage refused (a locked-down browser): the key lasts as long as the page.
  }
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', `${pathname}${search}`);
}

/** The header every request to the UI server carries; empty when this tab was not opened from the link. */
export function accessHeaders(): Record<string, string> {
  let key = accessKey;
  if (key === undefined) {
    try {
      key = window.sessionStorage.getItem(ACCESS_KEY) ?? undefined;
    } catch {
      key = undefined;
    }
  }
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/**
 * Downloads a file the UI server answers only with the key (a link cannot carry a header): fetched, then saved
 * under the name the server gives.
 */
export async function downloadWithAccess(url: string, fallbackName: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { headers: accessHeaders(), credentials: 'omit' });
  } catch {
    throw new AppError('unavailable', 'ConstIntel is not answering. Is it still running?');
  }
  if (!response.ok) {
    const answer = (await response.json().catch(() => undefined)) as WireResponse | undefined;
    if (answer && !answer.ok && isWireError(answer.error)) throw AppError.fromWire(answer.error);
    throw new AppError('internal', `ConstIntel answered ${response.status} without details.`);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const href = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file by then; the memory is given back.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
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
      credentials: 'omit',
      headers: { ...accessHeaders(), 'Content-Type': 'application/json' },
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
