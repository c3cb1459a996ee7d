/** Runs the built CLI or launcher as a child process and reads the addresses it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { appRoot } from '../../main/core/paths';

export interface Served {
  child: ChildProcess;
  output(): string;
  launchUrl: string;
  ingestUrl: string;
  stop(): Promise<number | null>;
}

export function builtScript(name: 'cli' | 'launch'): string {
  return join(appRoot(), 'dist', 'main', `${name}.js`);
}

/** Starts a built entry point and resolves once it has printed its browser link. */
export function serve(args: string[], env: NodeJS.ProcessEnv = {}, script: 'cli' | 'launch' = 'cli'): Promise<Served> {
  const child = spawn(process.execPath, [builtScript(script), ...args], {
    env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`No link printed within 20 s. Output:\n${out}`));
    }, 20_000);
    const check = () => {
      const launch = /Open in your browser: (\S+)/.exec(out);
      const ingest = /Ingest listener: +(\S+)/.exec(out);
      if (launch?.[1] && ingest?.[1] && out.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve({
          child,
          output: () => out,
          launchUrl: launch[1],
          ingestUrl: ingest[1],
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Exited with ${code} before printing a link. Output:\n${out}`));
    });
  });
}

/** The access key of a printed link (`http://127.0.0.1:PORT/#token=…`: it rides in the fragment). */
export function tokenOf(launchUrl: string): string {
  return new URLSearchParams(new URL(launchUrl).hash.slice(1)).get('token') ?? '';
}

/** Calls a command through the loopback RPC of a served app, as a script would; a refusal throws with its message. */
export function rpcOf(launchUrl: string): <T = Record<string, unknown>>(name: string, input?: unknown) => Promise<T> {
  const { origin } = new URL(launchUrl);
  const token = tokenOf(launchUrl);
  return async <T>(name: string, input: unknown = {}): Promise<T> => {
    const response = await fetch(`${origin}/rpc/${name}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as { ok: boolean; result?: T; error?: { message?: string } };
    if (!body.ok)
      throw new Error(`${name} answered ${response.status}: ${body.error?.message ?? JSON.stringify(body.error)}`);
    return body.result as T;
  };
}
