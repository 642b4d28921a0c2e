// pluginMain(): dispatch() wired to the real process. Kept apart from skel.ts so that in-process users of
// dispatch() never touch process-level state.
import { fstatSync, readSync, writeSync } from 'node:fs';
import { CniError, ErrInternal } from './errors.js';
import { goIndentJson } from './go-format.js';
import { dispatch, type PluginHandlers, type PluginInfo } from './skel.js';
import { CURRENT_VERSION } from './version.js';

/** Writes all of `text` to a file descriptor synchronously (retrying EAGAIN on non-blocking pipes). */
function writeAllSync(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/** Reads fd 0 to EOF. Blocking reads when possible (no stream machinery); a non-blocking fd falls back to the stream. */
async function readProcessStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EOF') break;
      if (code !== 'EAGAIN') throw e;
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      break;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/** For VERSION: an interactive or absent stdin reads as empty instead of blocking (Go skel ignores it entirely). */
async function readStdinUnlessTerminal(): Promise<Uint8Array> {
  try {
    if (fstatSync(0).isCharacterDevice()) return new Uint8Array();
  } catch {
    return new Uint8Array();
  }
  return readProcessStdin();
}

/**
 * The plugin entry point: runs one CNI invocation for this process (CNI_* env, stdin) and exits with its code,
 * like Go's skel.PluginMainFuncs. An exception that escapes the handlers' promises (an 'error' event, a stray
 * rejection) still produces a well-formed code-999 error on stdout when nothing was printed yet.
 */
export async function pluginMain(handlers: PluginHandlers, info: PluginInfo = {}): Promise<never> {
  let printed = false;
  const stdout = (text: string) => {
    printed = true;
    writeAllSync(1, text);
  };
  const stderr = (text: string) => {
    try {
      writeAllSync(2, text);
    } catch {
      // A closed stderr must not turn into a failure of the CNI operation.
    }
  };
  const escaped = (e: unknown) => {
    stderr(`unexpected asynchronous error: ${(e as Error)?.stack ?? String(e)}\n`);
    if (!printed) {
      const err = new CniError(ErrInternal, (e as Error)?.message || String(e));
      stdout(goIndentJson(err.toWire(CURRENT_VERSION)));
    }
    process.exit(1);
  };
  process.on('uncaughtException', escaped);
  process.on('unhandledRejection', escaped);
  const command = process.env.CNI_COMMAND;
  const code = await dispatch(
    {
      env: process.env,
      stdin: command === 'VERSION' ? readStdinUnlessTerminal : readProcessStdin,
      stdout,
      stderr,
    },
    handlers,
    info,
  );
  process.exit(code);
}
