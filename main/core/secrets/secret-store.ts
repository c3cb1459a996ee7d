/**
 * Where connection secrets (Shopify app secrets, WhatsApp app secret and
 * verify token) and the event API key are kept. Never in the SQLite file, never logged, never sent
 * back to the renderer after saving.
 *
 * - Headless and CLI: `secrets.json` beside the data file, readable by the
 *   user only (0600), written atomically.
 * - Desktop: the Electron shell passes a store that encrypts each value with
 *   the OS keychain (safeStorage) into the same file; see main/electron.
 */

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretStore {
  get(name: string): string | undefined;
  /** Whether a value is saved under `name`, even one this process cannot read (encrypted by the desktop app). */
  has(name: string): boolean;
  set(name: string, value: string): void;
  delete(name: string): void;
}

/** How a value is kept in the file: plain (user-only file) or encrypted by the desktop app. */
export interface StoredSecret {
  scheme: 'file' | 'safeStorage';
  value: string;
}

export const SECRETS_FILE = 'secrets.json';
/** A change written by another process (`constintel connect`) is seen within this time. */
const RECHECK_MS = 500;

interface CacheEntry {
  ino: number;
  mtimeMs: number;
  size: number;
  all: Record<string, StoredSecret>;
  decoded: Map<string, string | undefined>;
}

/** Reads and writes the secrets file; `encode`/`decode` let the desktop shell encrypt values. */
export class FileSecretStore implements SecretStore {
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly codec: {
      encode(value: string): StoredSecret;
      decode(stored: StoredSecret): string | undefined;
    } = plainCodec,
  ) {
    this.file = join(dataDir, SECRETS_FILE);
  }

  get(name: string): string | undefined {
    const cache = this.load();
    if (cache.decoded.has(name)) return cache.decoded.get(name);
    const stored = cache.all[name];
    const value = stored ? this.codec.decode(stored) : undefined;
    cache.decoded.set(name, value);
    return value;
  }

  has(name: string): boolean {
    return Object.hasOwn(this.load().all, name);
  }

  set(name: string, value: string): void {
    const all = this.read();
    all[name] = this.codec.encode(value);
    this.write(all);
  }

  delete(name: string): void {
    const all = this.read();
    delete all[name];
    this.write(all);
  }

  /** The file is re-read only when it changed (another process, such as `constintel connect`, may write it). */
  private cache: CacheEntry | undefined;

  private read(): Record<string, StoredSecret> {
    return this.load().all;
  }

  /** When the file was last looked at: every webhook reads a secret, so it is checked at most this often. */
  private checkedAt = Number.NEGATIVE_INFINITY;

  private load(): CacheEntry {
    const now = performance.now();
    if (this.cache && now - this.checkedAt < RECHECK_MS) return this.cache;
    this.checkedAt = now;
    let stat: { ino: number; mtimeMs: number; size: number };
    try {
      stat = statSync(this.file);
    } catch {
      this.cache = { ino: -1, mtimeMs: -1, size: 0, all: {}, decoded: new Map() };
      return this.cache;
    }
    // Every save renames a new file into place, so a new inode means new contents.
    const same =
      this.cache && this.cache.ino === stat.ino && this.cache.mtimeMs === stat.mtimeMs && this.cache.size === stat.size;
    if (same && this.cache) return this.cache;
    this.cache = { ino: stat.ino, mtimeMs: stat.mtimeMs, size: stat.size, all: this.parse(), decoded: new Map() };
    return this.cache;
  }

  private parse(): Record<string, StoredSecret> {
    if (!existsSync(this.file)) return {};
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      // Unreadable is not damaged: the secrets in it are fine, and deleting it would throw them away.
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EACCES' || code === 'EPERM'
          ? `ConstIntel cannot read its secrets file ${this.file}: your user account has no permission to read it. Keep the file; give it back to your account (on macOS or Linux: chown "$USER" "${this.file}" and chmod 600 "${this.file}"), then start ConstIntel again.`
          : `ConstIntel cannot read its secrets file ${this.file} (${code ?? (error as Error).message}). Keep the file; check the drive it is on, then start ConstIntel again.`,
      );
    }
    try {
      return JSON.parse(text) as Record<string, StoredSecret>;
    } catch {
      throw new Error(
        `The secrets file ${this.file} is damaged (it is not readable JSON). If you have a copy of it, put the copy back. Otherwise rename it (for example to secrets.json.damaged) and enter the connection secrets again in Settings → Connections.`,
      );
    }
  }

  private write(all: Record<string, StoredSecret>): void {
    // A name of its own per write: the app and a terminal command may save at the same moment.
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
    this.cache = undefined;
  }
}

const plainCodec = {
  encode: (value: string): StoredSecret => ({ scheme: 'file', value }),
  // A value the desktop app encrypted cannot be read without it: treated as not set.
  decode: (stored: StoredSecret) => (stored.scheme === 'file' ? stored.value : undefined),
};

/** For tests with an in-memory database. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  get(name: string) {
    return this.values.get(name);
  }
  has(name: string) {
    return this.values.has(name);
  }
  set(name: string, value: string) {
    this.values.set(name, value);
  }
  delete(name: string) {
    this.values.delete(name);
  }
}
