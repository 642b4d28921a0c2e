// An undo stack for multi-step attach operations. Every step that changes the node registers how to take the
// change back right after it succeeds; on failure the stack is unwound in reverse order. Generic: shared with
// the ib-sriov plugin (move to a package when a second consumer lands).

export interface UndoFailure {
  step: string;
  error: unknown;
}

export class UndoStack {
  readonly #steps: { name: string; undo: () => unknown }[] = [];

  /** Register the undo of a step that has just succeeded. */
  push(name: string, undo: () => unknown): void {
    this.#steps.push({ name, undo });
  }

  /** Names of the registered steps, oldest first (for logs and tests). */
  get names(): string[] {
    return this.#steps.map((s) => s.name);
  }

  /** Forget every registered undo: the whole operation succeeded. */
  commit(): void {
    this.#steps.length = 0;
  }

  /**
   * Run every undo, newest first. An undo that fails does not stop the others (each restores an independent
   * piece of state); the failures are returned so the caller can report them next to the original error.
   */
  async unwind(): Promise<UndoFailure[]> {
    const failures: UndoFailure[] = [];
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      try {
        await step.undo();
      } catch (error) {
        failures.push({ step: step.name, error });
      }
    }
    return failures;
  }
}
