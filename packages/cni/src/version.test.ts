import { describe, expect, it } from 'vitest';
import {
  ALL_VERSIONS,
  CURRENT_VERSION,
  configVersionOf,
  incompatibleVersionDetails,
  parseVersion,
  resultFormatOf,
  versionAtLeast,
} from './version.js';

describe('versions', () => {
  it('lists Go version.All and Current', () => {
    expect(ALL_VERSIONS).toStrictEqual(['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']);
    expect(CURRENT_VERSION).toBe('1.1.0');
    expect(Object.isFrozen(ALL_VERSIONS)).toBe(true);
  });
  it('parses like Go ParseVersion', () => {
    expect(parseVersion('')).toStrictEqual([0, 1, 0]);
    expect(parseVersion('1')).toStrictEqual([1, 0, 0]);
    expect(parseVersion('1.1')).toStrictEqual([1, 1, 0]);
    expect(parseVersion('0.3.1')).toStrictEqual([0, 3, 1]);
    expect(() => parseVersion('1.2.3.4')).toThrow('invalid version "1.2.3.4": too many parts');
    expect(() => parseVersion('x.1.0')).toThrow(
      'failed to convert major version part "x": strconv.Atoi: parsing "x": invalid syntax',
    );
    expect(() => parseVersion('1..0')).toThrow(
      'failed to convert minor version part "": strconv.Atoi: parsing "": invalid syntax',
    );
    expect(() => parseVersion('1.0.z')).toThrow('failed to convert micro version part "z"');
  });
  it('compares like Go GreaterThanOrEqualTo', () => {
    expect(versionAtLeast('0.4.0', '0.4.0')).toBe(true);
    expect(versionAtLeast('0.3.1', '0.4.0')).toBe(false);
    expect(versionAtLeast('1.0.0', '0.4.0')).toBe(true);
    expect(versionAtLeast('1.1.0', '1.1.0')).toBe(true);
    expect(versionAtLeast('1.0.0', '1.1.0')).toBe(false);
    expect(versionAtLeast('0.10.0', '0.9.9')).toBe(true);
    expect(versionAtLeast('', '0.1.0')).toBe(true);
  });
  it('maps versions to result shapes', () => {
    expect(ALL_VERSIONS.map(resultFormatOf)).toStrictEqual(['0.2', '0.2', '0.4', '0.4', '0.4', '1.x', '1.x']);
    expect(resultFormatOf('1.2.0')).toBeNull();
  });
  it('decodes the config version like Go ConfigDecoder', () => {
    expect(configVersionOf({})).toBe('0.1.0');
    expect(configVersionOf({ cniVersion: '' })).toBe('0.1.0');
    expect(configVersionOf({ cniVersion: '1.0.0' })).toBe('1.0.0');
    expect(() => configVersionOf({ cniVersion: 1 })).toThrow(expect.objectContaining({ code: 6 }));
  });
  it('formats the incompatible-version details like Go', () => {
    expect(incompatibleVersionDetails('9.9.9', ['0.4.0', '1.0.0'])).toBe(
      'config is "9.9.9", plugin supports ["0.4.0" "1.0.0"]',
    );
  });
});
