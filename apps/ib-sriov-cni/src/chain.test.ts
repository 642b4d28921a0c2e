import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRdmaChainWarning, rdmaChainWarning } from './chain.js';

const dir = mkdtempSync(join(tmpdir(), 'ib-sriov-chain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const list = (name: string, ...types: string[]) => ({
  cniVersion: '1.0.0',
  name,
  plugins: types.map((type) => ({ type })),
});

describe('rdma chained after ib-sriov', () => {
  it('is flagged only for rdma after ib-sriov in the same network', () => {
    expect(rdmaChainWarning(list('ib', 'ib-sriov', 'tuning', 'rdma'), 'ib')).toMatch(/set "rdmaIsolation": true$/);
    expect(rdmaChainWarning(list('ib', 'ib-sriov', 'tuning'), 'ib')).toBeUndefined();
    expect(rdmaChainWarning(list('ib', 'rdma', 'ib-sriov'), 'ib')).toBeUndefined();
    expect(rdmaChainWarning(list('other', 'ib-sriov', 'rdma'), 'ib')).toBeUndefined();
    for (const junk of [null, [], 'x', { name: 'ib', plugins: 'no' }])
      expect(rdmaChainWarning(junk, 'ib')).toBeUndefined();
  });

  it('finds it among the conflists of a directory, skipping broken files; a missing directory is silence', () => {
    writeFileSync(join(dir, '00-broken.conflist'), '{');
    writeFileSync(join(dir, '10-ib.conf'), JSON.stringify(list('ib', 'ib-sriov', 'rdma'))); // not a conflist name
    expect(findRdmaChainWarning('ib', dir)).toBeUndefined();
    writeFileSync(join(dir, '20-ib.conflist'), JSON.stringify(list('ib', 'ib-sriov', 'rdma')));
    expect(findRdmaChainWarning('ib', dir)).toMatch(/^20-ib\.conflist: network "ib" chains the rdma plugin/);
    expect(findRdmaChainWarning('ib', join(dir, 'missing'))).toBeUndefined();
  });
});
