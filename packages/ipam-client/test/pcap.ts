// Test-only capture: tcpdump (apt package `tcpdump`) writing a pcap inside a netns, and a pcap reader.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Reads every packet of a classic pcap file (either byte order, µs or ns timestamps). */
export function readPcap(file: Buffer): Buffer[] {
  if (file.length < 24) return [];
  const magicLE = file.readUInt32LE(0);
  const little = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
  const u32 = (o: number) => (little ? file.readUInt32LE(o) : file.readUInt32BE(o));
  const packets: Buffer[] = [];
  let o = 24;
  while (o + 16 <= file.length) {
    const incl = u32(o + 8);
    if (o + 16 + incl > file.length) break; // partially written record
    packets.push(file.subarray(o + 16, o + 16 + incl));
    o += 16 + incl;
  }
  return packets;
}

export interface Capture {
  /** Packets written so far. */
  packets(): Buffer[];
  /** Waits until `done(packets)` holds or `timeoutMs` passes; returns the packets either way. */
  until(done: (packets: Buffer[]) => boolean, timeoutMs?: number): Promise<Buffer[]>;
  stop(): Promise<void>;
}

/** Starts `tcpdump -i <ifName> -U -w <file> <filter>` inside the netns at `netnsPath` and waits until it listens. */
export async function startCapture(netnsPath: string, ifName: string, file: string, filter: string): Promise<Capture> {
  const child: ChildProcess = spawn(
    'nsenter',
    [`--net=${netnsPath}`, 'tcpdump', '-i', ifName, '-n', '-U', '-w', file, ...filter.split(' ')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited (${code}): ${stderr}`));
    });
  });
  const packets = () => (existsSync(file) ? readPcap(readFileSync(file)) : []);
  return {
    packets,
    async until(done, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const p = packets();
        if (done(p) || Date.now() > deadline) return p;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
