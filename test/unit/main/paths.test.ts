import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot, migrationsDir, osAppDataDir, resolveDataDir } from '../../../main/core/paths';

describe('osAppDataDir (the folder Electron calls appData)', () => {
  it.each([
    ['win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann\\AppData\\Roaming'],
    ['darwin', {}, join('/Users/ann', 'Library', 'Application Support')],
    ['linux', {}, join('/Users/ann', '.config')],
    ['linux', { XDG_CONFIG_HOME: '/xdg' }, '/xdg'],
  ] as const)('on %s with %j', (platform, env, expected) => {
    expect(osAppDataDir(platform, env, '/Users/ann')).toBe(expected);
  });
});

describe('resolveDataDir', () => {
  it('prefers --data-dir, then CONSTINTEL_DATA_DIR, then the shell default, then the OS folder', () => {
    const env = { CONSTINTEL_DATA_DIR: '/from-env', XDG_CONFIG_HOME: '/xdg' };
    expect(resolveDataDir({ flag: '/from-flag', env, shellDefault: '/electron' })).toBe('/from-flag');
    expect(resolveDataDir({ env, shellDefault: '/electron' })).toBe('/from-env');
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/xdg' }, shellDefault: '/electron' })).toBe('/electron');
    if (process.platform === 'linux') {
      expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/xdg' } })).toBe('/xdg/ConstIntel');
    }
  });

  it('ignores empty values and makes relative folders absolute', () => {
    expect(resolveDataDir({ flag: '  ', env: { CONSTINTEL_DATA_DIR: 'rel/dir' } })).toBe(resolve('rel/dir'));
  });
});

describe('appRoot', () => {
  it('finds the folder with package.json and migrations', () => {
    expect(migrationsDir()).toBe(join(appRoot(), 'migrations'));
    expect(resolve(appRoot())).toBe(resolve(import.meta.dirname, '../../..'));
  });
});
