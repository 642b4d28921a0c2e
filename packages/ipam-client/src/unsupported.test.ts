import { CniError } from '@sriov-ts/cni';
import { expect, it } from 'vitest';
import { assertIpamTypeSupported } from './unsupported.js';

it("refuses dhcp with ib-sriov-cni's message and code 999, and nothing else", () => {
  const err = (() => {
    try {
      assertIpamTypeSupported('dhcp');
    } catch (e) {
      return e;
    }
  })();
  expect(err).toBeInstanceOf(CniError);
  expect([(err as CniError).code, (err as CniError).msg]).toEqual([999, 'ipam type dhcp is not supported']);
  for (const type of ['host-local', 'static', 'whereabouts', 'DHCP', '']) {
    expect(() => assertIpamTypeSupported(type)).not.toThrow();
  }
});
