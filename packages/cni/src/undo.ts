// The undo stack of a multi-step CNI ADD: each step that changed the node registers how to take that change back
// right after it succeeded; a failure later on unwinds the registered undos newest first, so a failed ADD leaves
// the node as it found it. Shared by the sriov and ib-sriov plugins.

export interface UndoFailure {
  /** The name the step was registered under. */
  step: string;
  error: unknown;
}

export class UndoStack {
  readonly #steps: { name: string; undo: () => unknown }[] = [];

  /** Registers the undo of a step that has just succeeded. */
  push(name: string, undo: () => unknown): void {
    this.#steps.push({ name, undo });
  }

  /** The registered step names, oldest first (logs, tests). */
  get names(): string[] {
    return this.#steps.map((s) => s.name);
  }

  /** The operation succeeded as a whole: forget every undo. */
  commit(): void {
    this.#steps.length = 0;
  }

  /**
   * Runs every undo, newest first, and empties the stack. A failing undo does not stop the others (each restores
   * an independent piece of state); the failures are returned for the caller to report beside the first error.
   */
  async unwind(): Promise<UndoFailure[]> {
    const failures: UndoFailure[] = [];
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await step.undo();
      } catch (error) {
        failures.push({ step: step.name, error });
      }
    }
    return failures;
  }
}
