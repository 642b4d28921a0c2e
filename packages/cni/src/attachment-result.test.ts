import { describe, expect, it } from 'vitest';
import { attachmentResult } from './attachment-result.js';

describe('attachmentResult', () => {
  it('puts every IPAM address on interface 0 and keeps the routes and DNS, but not the IPAM interfaces', () => {
    const ipam = {
      cniVersion: '1.1.0',
      interfaces: [{ name: 'ipam-thing' }],
      ips: [
        { address: '10.0.0.2/24', gateway: '10.0.0.1' },
        { address: 'fd00::2/64', interface: 5 },
      ],
      routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.1' }],
      dns: { nameservers: ['10.0.0.53'] },
    };
    expect(attachmentResult({ name: 'net1', sandbox: '/run/netns/p' }, ipam)).toEqual({
      interfaces: [{ name: 'net1', sandbox: '/run/netns/p' }],
      ips: [
        { address: '10.0.0.2/24', gateway: '10.0.0.1', interface: 0 },
        { address: 'fd00::2/64', interface: 0 },
      ],
      routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.1' }],
      dns: { nameservers: ['10.0.0.53'] },
    });
    expect(ipam.ips[1]?.interface).toBe(5); // the IPAM result is not changed
  });

  it('is just the interface without IPAM', () => {
    expect(attachmentResult({ name: 'net1' }, undefined)).toEqual({
      interfaces: [{ name: 'net1' }],
      ips: [],
      routes: [],
      dns: {},
    });
  });
});
