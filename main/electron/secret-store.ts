/**
 * The desktop app's secret store: the same secrets file, each value encrypted
 * with the OS keychain through Electron's safeStorage. Values a terminal
 * command saved in plain form (`constintel connect …`) are still read, and
 * encrypted the next time they are saved.
 */
import { safeStorage } from 'electron';
import { FileSecretStore, type StoredSecret } from '../core/secrets/secret-store';

export function safeStorageSecretStore(dataDir: string, warn: (message: string) => void): FileSecretStore {
  // On Linux without a keyring Electron falls back to a fixed key ('basic_text'): no better than the user-only file.
  const weak = process.platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text';
  if (!safeStorage.isEncryptionAvailable() || weak) {
    warn('No system keychain is available, so connection secrets are kept in a file only your user account can read.');
  }
  return new FileSecretStore(dataDir, {
    encode(value: string): StoredSecret {
      if (!safeStorage.isEncryptionAvailable() || weak) return { scheme: 'file', value };
      return { scheme: 'safeStorage', value: safeStorage.encryptString(value).toString('base64') };
    },
    decode(stored: StoredSecret): string | undefined {
      if (stored.scheme === 'file') return stored.value;
      try {
        return safeStorage.decryptString(Buffer.from(stored.value, 'base64'));
      } catch {
        return undefined;
      }
    },
  });
}
