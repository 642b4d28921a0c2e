// Small fake IPAM executables for the delegation tests: node scripts written into a temp dir on CNI_PATH.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeIpamDir {
  dir: string;
  /** Writes an executable node script `<dir>/<name>` whose body is `body` (plain JS, CommonJS). */
  add(name: string, body: string): string;
  /** Writes an executable `/bin/sh` script (tests only; starts in ~1 ms, for timing-sensitive fakes). */
  addShell(name: string, body: string): string;
  cleanup(): void;
}

export function fakeIpamDir(prefix = 'ipam-fake-'): FakeIpamDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    add(name, body) {
      const path = join(dir, name);
      writeFileSync(path, `#!${process.execPath}\n'use strict';\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    },
    addShell(name, body) {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Body of a fake that prints `stdout`, writes `stderr`, and exits with `code`. */
export function printing(stdout: string, opts: { stderr?: string; code?: number } = {}): string {
  return [
    `process.stdout.write(${JSON.stringify(stdout)});`,
    opts.stderr ? `process.stderr.write(${JSON.stringify(opts.stderr)});` : '',
    `process.exitCode = ${opts.code ?? 0};`,
  ].join('\n');
}

/** Body of a fake that records its stdin (base64) and environment into `recordFile`, then prints `stdout`. */
export function recording(recordFile: string, stdout: string): string {
  return `
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  require('node:fs').writeFileSync(${JSON.stringify(recordFile)}, JSON.stringify({
    stdin: Buffer.concat(chunks).toString('base64'),
    env: process.env,
  }));
  process.stdout.write(${JSON.stringify(stdout)});
});`;
}
