import { describe, expect, it } from 'vitest';
import { localeCountry } from '../../../main/core/settings/settings-store';
import { displayProblem } from '../../../main/launch-checks';

describe('displayProblem', () => {
  it('needs DISPLAY or WAYLAND_DISPLAY on Linux only', () => {
    expect(displayProblem('linux', {})).toBe('there is no display to open a window on');
    expect(displayProblem('linux', { DISPLAY: ':0' })).toBeUndefined();
    expect(displayProblem('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBeUndefined();
    expect(displayProblem('win32', {})).toBeUndefined();
    expect(displayProblem('darwin', {})).toBeUndefined();
  });
});

describe('localeCountry (the first default phone country)', () => {
  it.each([
    ['en-GB', 'GB'],
    ['de-DE', 'DE'],
    ['fr', 'FR'],
    ['en', 'US'],
    ['not a locale', 'US'],
  ])('%s → %s', (locale, country) => {
    expect(localeCountry(locale)).toBe(country);
  });
});
