import { describe, expect, it } from 'vitest';
import { missingAddresses, missingRoutes, podAddressing } from './check.js';

const prev = {
  interfaces: [{ name: 'eth0', sandbox: '/run/netns/p' }, { name: 'net1', sandbox: '/run/netns/p' }, { name: 'net1' }],
  ips: [
    { address: '10.0.0.2/24', interface: 0 }, // another plugin's interface
    { address: '10.1.0.2/24', interface: 1 },
    { address: 'fd00::2/64' }, // no index: counts as ours
  ],
  routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }, { dst: '10.9.0.0/16' }],
};

describe('missingAddresses', () => {
  it("compares only this interface's addresses (by name and sandbox) and lists the absent ones in order", () => {
    expect(missingAddresses(prev, '/run/netns/p', 'net1', ['10.1.0.2/24', 'fd00::2/64'])).toEqual([]);
    expect(missingAddresses(prev, '/run/netns/p', 'net1', ['10.0.0.2/24'])).toEqual(['10.1.0.2/24', 'fd00::2/64']);
    // Another netns: the first entry without a sandbox (index 2) is ours, so index 1's address is not compared.
    expect(missingAddresses(prev, '/run/netns/q', 'net1', [])).toEqual(['fd00::2/64']);
    expect(missingAddresses({}, '/run/netns/p', 'net1', [])).toEqual([]);
  });
});

describe('missingRoutes', () => {
  it('matches by destination, and by gateway only when the prevResult names one', () => {
    const have = [
      { dst: '0.0.0.0/0', gw: '10.1.0.1' },
      { dst: '10.9.0.0/16', gw: '10.1.0.7' },
    ];
    expect(missingRoutes(prev, have)).toEqual([]);
    expect(missingRoutes(prev, [{ dst: '0.0.0.0/0', gw: '10.1.0.9' }])).toEqual(prev.routes);
    expect(missingRoutes({}, [])).toEqual([]);
  });
});

describe('podAddressing', () => {
  it("asks for the interface's addresses and routes in its netns and names default routes per family", () => {
    const asked: unknown[] = [];
    const nl = {
      listAddresses: (o: unknown) => {
        asked.push(o);
        return [{ cidr: '10.1.0.2/24' }];
      },
      listRoutes: (o: unknown) => {
        asked.push(o);
        return [
          { dst: 'default', family: 4, gateway: '10.1.0.1' },
          { dst: 'default', family: 6 },
          { dst: '10.9.0.0/16', family: 4 },
        ];
      },
    } as unknown as Parameters<typeof podAddressing>[0];
    expect(podAddressing(nl, '/run/netns/p', 'net1')).toEqual({
      addresses: ['10.1.0.2/24'],
      routes: [
        { dst: '0.0.0.0/0', gw: '10.1.0.1' },
        { dst: '::/0', gw: undefined },
        { dst: '10.9.0.0/16', gw: undefined },
      ],
    });
    expect(asked).toEqual([
      { netns: '/run/netns/p', link: 'net1' },
      { netns: '/run/netns/p', link: 'net1' },
    ]);
  });
});
