import { describe, expect, it } from 'vitest';
import { CniError, ErrInternal, parseCniErrorJson, toCniError } from './errors.js';
import * as cni from './index.js';

describe('error codes', () => {
  it('exports the spec and Go codes under the Go names', () => {
    expect({
      ErrUnknown: cni.ErrUnknown,
      ErrIncompatibleCNIVersion: cni.ErrIncompatibleCNIVersion,
      ErrUnsupportedField: cni.ErrUnsupportedField,
      ErrUnknownContainer: cni.ErrUnknownContainer,
      ErrInvalidEnvironmentVariables: cni.ErrInvalidEnvironmentVariables,
      ErrIOFailure: cni.ErrIOFailure,
      ErrDecodingFailure: cni.ErrDecodingFailure,
      ErrInvalidNetworkConfig: cni.ErrInvalidNetworkConfig,
      ErrInvalidNetNS: cni.ErrInvalidNetNS,
      ErrTryAgainLater: cni.ErrTryAgainLater,
      ErrPluginNotAvailable: cni.ErrPluginNotAvailable,
      ErrLimitedConnectivity: cni.ErrLimitedConnectivity,
      ErrInternal: cni.ErrInternal,
    }).toStrictEqual({
      ErrUnknown: 0,
      ErrIncompatibleCNIVersion: 1,
      ErrUnsupportedField: 2,
      ErrUnknownContainer: 3,
      ErrInvalidEnvironmentVariables: 4,
      ErrIOFailure: 5,
      ErrDecodingFailure: 6,
      ErrInvalidNetworkConfig: 7,
      ErrInvalidNetNS: 8,
      ErrTryAgainLater: 11,
      ErrPluginNotAvailable: 50,
      ErrLimitedConnectivity: 51,
      ErrInternal: 999,
    });
  });
});

describe('CniError', () => {
  it('renders message like libcni (msg; details) and JSON like the spec', () => {
    const e = new CniError(7, 'Invalid Configuration', 'Network 192.168.0.0/31 too small to allocate from.');
    expect(e.message).toBe('Invalid Configuration; Network 192.168.0.0/31 too small to allocate from.');
    expect(e.toWire('1.1.0')).toStrictEqual({
      cniVersion: '1.1.0',
      code: 7,
      msg: 'Invalid Configuration',
      details: 'Network 192.168.0.0/31 too small to allocate from.',
    });
    expect(Object.keys(e.toWire('1.1.0'))).toStrictEqual(['cniVersion', 'code', 'msg', 'details']);
  });
  it('omits empty details and a missing cniVersion (Go types.Error shape)', () => {
    const e = new CniError(4, 'x');
    expect(e.message).toBe('x');
    expect(JSON.stringify(e.toWire())).toBe('{"code":4,"msg":"x"}');
  });
  it('JSON.stringify(err) gives the Go shape, also when nested (the key is not taken for a version)', () => {
    expect(JSON.parse(JSON.stringify(new CniError(11, 'later')))).toStrictEqual({ code: 11, msg: 'later' });
    expect(JSON.parse(JSON.stringify({ e: new CniError(11, 'later') }))).toStrictEqual({
      e: { code: 11, msg: 'later' },
    });
  });
});

describe('toCniError', () => {
  it('keeps a CniError as is', () => {
    const e = new CniError(11, 'busy');
    expect(toCniError(e)).toBe(e);
  });
  it('turns an Error into code 999 with its message, keeping the cause', () => {
    const cause = new TypeError('boom');
    const e = toCniError(cause);
    expect(e).toMatchObject({ code: ErrInternal, msg: 'boom', details: '' });
    expect(e.cause).toBe(cause);
  });
  it('handles thrown non-errors', () => {
    expect(toCniError('text').msg).toBe('text');
    expect(toCniError('').msg).toBe('unknown error');
    expect(toCniError({ a: 1 }).msg).toBe('{"a":1}');
    expect(toCniError(undefined).msg).toBe('undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toCniError(cyclic).msg).toBe('[object Object]');
    expect(toCniError(new Error('')).msg).toBe('Error');
  });
});

describe('parseCniErrorJson', () => {
  it('reads errors with and without cniVersion', () => {
    expect(parseCniErrorJson({ code: 999, msg: 'failed' })).toMatchObject({ code: 999, msg: 'failed', details: '' });
    expect(parseCniErrorJson({ cniVersion: '1.0.0', code: 7, msg: 'm', details: 'd' })).toMatchObject({
      code: 7,
      msg: 'm',
      details: 'd',
    });
    expect(parseCniErrorJson({ code: 3 })).toMatchObject({ code: 3, msg: '' });
  });
  it.each([
    null,
    [],
    'x',
    {},
    { code: -1, msg: 'a' },
    { code: 1.5 },
    { code: '1' },
    { code: 1, msg: 2 },
    { code: 1, details: 3 },
  ])('returns null for %j', (v) => {
    expect(parseCniErrorJson(v)).toBeNull();
  });
});
