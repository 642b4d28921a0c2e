// Hot reload triggers for the config file. The file is watched through its folder, because a Kubernetes ConfigMap
// volume updates by swapping a `..data` symlink (the file itself is never written in place), and editors replace
// files by rename. Events are debounced; the plugin's rescan compares content, so spurious events are harmless.
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from './logger.js';

export class ConfigWatch {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly file: string,
    private readonly onChange: () => void,
    private readonly log: Logger,
    private readonly debounceMs = 100,
  ) {}

  start(): void {
    const name = basename(this.file);
    try {
      this.watcher = watch(dirname(this.file), { persistent: false }, (_event, changed) => {
        if (changed !== null && changed !== name && !changed.startsWith('..')) return;
        if (this.timer !== null) clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          this.timer = null;
          this.onChange();
        }, this.debounceMs);
      });
      this.watcher.on('error', (err) => {
        this.log.warn('config watch failed; relying on the periodic rescan', { err });
        this.watcher?.close();
        this.watcher = null;
      });
    } catch (err) {
      this.log.warn('cannot watch the config folder; relying on the periodic rescan', { file: this.file, err });
    }
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
