import { describe, expect, it } from 'vitest';
import {
  isValidContainerId,
  isValidInterfaceName,
  validateContainerId,
  validateInterfaceName,
  validateNetworkName,
} from './validate.js';

describe('container id', () => {
  it.each(['a', 'c0ffee', 'A_b.c-d', '9', 'cnitool-20c8e2b54f3c2d41dd52', 'x'.repeat(300)])('%j is valid', (id) => {
    expect(isValidContainerId(id)).toBe(true);
    expect(() => validateContainerId(id)).not.toThrow();
  });
  it.each(['-a', '_a', '.a', 'a b', 'a/b', 'a:b', 'ä', 'a\n'])('%j is invalid (code 4)', (id) => {
    expect(isValidContainerId(id)).toBe(false);
    expect(() => validateContainerId(id)).toThrow(
      expect.objectContaining({ code: 4, msg: 'invalid characters in containerID', details: id }),
    );
  });
  it('empty is code 3 "missing containerID" (libcni)', () => {
    expect(() => validateContainerId('')).toThrow(expect.objectContaining({ code: 3, msg: 'missing containerID' }));
  });
});

describe('network name', () => {
  it('follows the same rule, code 7', () => {
    expect(() => validateNetworkName('sriov-net.1')).not.toThrow();
    expect(() => validateNetworkName('')).toThrow(expect.objectContaining({ code: 7, msg: 'missing network name:' }));
    expect(() => validateNetworkName('a b')).toThrow(
      expect.objectContaining({ code: 7, msg: 'invalid characters found in network name', details: 'a b' }),
    );
  });
});

describe('interface name', () => {
  it.each(['net1', 'eth0', 'a', 'x'.repeat(15), 'net-1_@', 'é'.repeat(7)])('%j is valid', (n) => {
    expect(isValidInterfaceName(n)).toBe(true);
  });
  it.each([
    ['', 'interface name is empty'],
    ['x'.repeat(16), 'interface name is too long'],
    ['é'.repeat(8), 'interface name is too long'],
    ['.', 'interface name is . or ..'],
    ['..', 'interface name is . or ..'],
    ['a/b', 'interface name contains / or : or whitespace characters'],
    ['a:1', 'interface name contains / or : or whitespace characters'],
    ['a b', 'interface name contains / or : or whitespace characters'],
    ['a\u0085', 'interface name contains / or : or whitespace characters'],
    ['a\u3000', 'interface name contains / or : or whitespace characters'],
  ])('%j: %s (code 4)', (n, msg) => {
    expect(isValidInterfaceName(n)).toBe(false);
    expect(() => validateInterfaceName(n)).toThrow(expect.objectContaining({ code: 4, msg }));
  });
});
