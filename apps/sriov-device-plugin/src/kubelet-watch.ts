// Notices kubelet restarts in direct mode: on start kubelet deletes every socket in the device-plugins folder and
// re-creates kubelet.sock (possibly with the same inode), so the reliable signal is "our own socket is gone".
// fs.watch on the folder makes this event-driven; a slow poll is the safety net (inotify can miss events, and
// the folder itself can be replaced). The callback is serialized: a burst of events becomes one check at a time.
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from './logger.js';

export interface FolderWatchOptions {
  dir: string;
  /** Safety-net poll period. */
  pollMs?: number;
  /** Coalesces bursts of inotify events. */
  debounceMs?: number;
  log: Logger;
  onCheck: () => Promise<void>;
}

export class FolderWatch {
  private watcher: FSWatcher | null = null;
  private poll: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly opts: FolderWatchOptions) {}

  start(): void {
    this.stopped = false;
    this.arm();
    this.poll = setInterval(() => {
      if (this.watcher === null) this.arm();
      this.trigger(0);
    }, this.opts.pollMs ?? 5000);
    this.poll.unref();
  }

  private arm(): void {
    try {
      const w = watch(this.opts.dir, { persistent: false }, () => this.trigger(this.opts.debounceMs ?? 10));
      w.on('error', () => {
        // The folder went away (e.g. replaced); the poll re-arms the watcher when it is back.
        w.close();
        if (this.watcher === w) this.watcher = null;
        this.trigger(0);
      });
      this.watcher = w;
    } catch (err) {
      this.watcher = null;
      this.opts.log.debug('cannot watch folder yet', { dir: this.opts.dir, err });
    }
  }

  /** Schedules a check (also used by callers that know something changed). */
  trigger(delayMs = 0): void {
    if (this.stopped) return;
    if (this.debounce !== null) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.run();
    }, delayMs);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    let done!: () => void;
    this.idle = new Promise((r) => {
      done = r;
    });
    try {
      do {
        this.again = false;
        try {
          await this.opts.onCheck();
        } catch (err) {
          this.opts.log.error('folder check failed', { dir: this.opts.dir, err });
        }
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
      done();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.poll !== null) clearInterval(this.poll);
    if (this.debounce !== null) clearTimeout(this.debounce);
    this.poll = null;
    this.debounce = null;
    await this.idle;
  }
}
