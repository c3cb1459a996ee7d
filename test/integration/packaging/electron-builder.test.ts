import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../../main/core/paths';

const root = appRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    const config = await getConfig(root, null, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('is the validation that would catch a mistake', async () => {
    const config = await getConfig(root, null, null);
    await expect(
      validateConfiguration({ ...config, nsis: { ...config.nsis, oneClik: true } as never }, new DebugLogger(false)),
    ).rejects.toThrow(/configuration\.nsis/);
  });

  it('targets NSIS, dmg, AppImage and deb, ships migrations, rebuilds better-sqlite3 only when packaging', async () => {
    const config = await getConfig(root, null, null);
    const names = (targets: unknown) =>
      (targets as (string | { target: string })[]).map((t) => (typeof t === 'string' ? t : t.target));
    expect(names(config.win?.target)).toEqual(['nsis']);
    expect(names(config.mac?.target)).toEqual(['dmg']);
    expect(names(config.linux?.target)).toEqual(['AppImage', 'deb']);
    expect(JSON.stringify(config.files)).toContain('migrations/**/*');
    expect(JSON.stringify(config.files)).toContain('dist/**/*');
    expect(config.npmRebuild).toBe(true);
    expect(config.electronVersion).toBe(pkg.devDependencies.electron);
    // No install-time rebuild for Electron: npm install builds better-sqlite3 for the Node that runs the tests.
    expect(JSON.stringify(pkg.scripts)).not.toMatch(/install-app-deps|electron-rebuild/);
    expect(pkg.main).toBe('dist/main/electron/main.js');
  });
});
