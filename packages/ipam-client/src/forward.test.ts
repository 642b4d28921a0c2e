// GC/STATUS forwarding against fake IPAM executables (the same fakes as the delegation tests).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CniError, createLogger } from '@sriov-ts/cni';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeIpamDir, fakeIpamDir, printing, recording } from '../test/fake-ipam.js';
import { delegatedIpamType, type ForwardArgs, forwardStatus, gcThenForward } from './forward.js';

let fakes: FakeIpamDir;
beforeAll(() => {
  fakes = fakeIpamDir('ipam-forward-');
});
afterAll(() => fakes.cleanup());

function args(ipam?: Record<string, unknown>): ForwardArgs {
  const netConf = { cniVersion: '1.1.0', name: 'net', type: 'sriov', ...(ipam ? { ipam } : {}) };
  return {
    netConf,
    stdinData: Buffer.from(JSON.stringify(netConf)),
    env: { PATH: process.env.PATH, CNI_COMMAND: 'GC', CNI_PATH: fakes.dir },
    log: createLogger({ level: 'panic' }),
  };
}

const failure = (code: number, msg: string) =>
  printing(JSON.stringify({ cniVersion: '1.1.0', code, msg, details: 'd' }), { code: 1 });

describe('IPAM GC/STATUS forwarding', () => {
  it('reads ipam.type as the skeleton decoded it', () => {
    expect(delegatedIpamType({ name: 'n', ipam: { type: 'host-local' } })).toBe('host-local');
    expect(delegatedIpamType({ name: 'n', ipam: { type: 7 } as never })).toBe('');
    expect(delegatedIpamType({ name: 'n' })).toBe('');
  });

  it('GC runs the own release, then IPAM GC with the exact stdin and CNI_COMMAND=GC', async () => {
    const record = join(fakes.dir, 'gc.json');
    fakes.add('gc-rec', recording(record, ''));
    const a = args({ type: 'gc-rec' });
    const order: string[] = [];
    await gcThenForward(a, async () => {
      order.push('own');
    });
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { stdin: string; env: Record<string, string> };
    expect(order).toEqual(['own']);
    expect(seen.env.CNI_COMMAND).toBe('GC');
    expect(Buffer.from(seen.stdin, 'base64').equals(Buffer.from(a.stdinData))).toBe(true);
  });

  it('GC forwards even when the own release failed, and reports both failures in one 999 error', async () => {
    fakes.add('gc-fail', failure(11, 'lease store busy'));
    const err = await gcThenForward(args({ type: 'gc-fail' }), async () => {
      throw new CniError(999, 'GC failed for 1 attachment(s): x', 'details');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniError);
    expect(err).toMatchObject({
      code: 999,
      msg: 'GC failed for 1 attachment(s): x; details; lease store busy; d',
    });
  });

  it('GC describes failures with the caller’s function; no IPAM = only the own release', async () => {
    const err = await gcThenForward(
      args(),
      async () => {
        throw new CniError(999, 'own', 'details');
      },
      (e) => (e as CniError).msg,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 999, msg: 'own' });
    await expect(gcThenForward(args(), async () => undefined)).resolves.toBeUndefined();
  });

  it('STATUS is the IPAM plugin’s answer, code included; ready without an IPAM plugin', async () => {
    fakes.add('st-ok', printing(''));
    fakes.add('st-busy', failure(50, 'not ready'));
    await expect(forwardStatus(args({ type: 'st-ok' }))).resolves.toBeUndefined();
    await expect(forwardStatus(args({ type: 'st-busy' }))).rejects.toMatchObject({ code: 50, msg: 'not ready' });
    await expect(forwardStatus(args())).resolves.toBeUndefined();
  });
});
