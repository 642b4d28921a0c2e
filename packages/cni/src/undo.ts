// The undo stack of a multi-step CNI ADD: each step that changed the node registers how to take that change back
// right after it succeeded; a failure later on unwinds the registered undos newest first, so a failed ADD leaves
// the node as it found it. Shared by the sriov and ib-sriov plugins.
import { CniError, ErrInternal } from './errors.js';

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

  /**
   * unwind() after `error` ended the operation: rethrows `error` when every undo succeeded, else throws what `wrap`
   * makes of the failed undos, listed as "step: message" joined by "; " (so neither failure is lost).
   */
  async unwindAfter(
    error: unknown,
    wrap: (notes: string) => Error,
    describe: (e: unknown) => string = messageOf,
  ): Promise<never> {
    const failures = await this.unwind();
    if (failures.length === 0) throw error;
    throw wrap(failures.map((f) => `${f.step}: ${describe(f.error)}`).join('; '));
  }
}

/** An Error's message, anything else as a string. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * GC's release loop: `release` for every entry, going on past failures (one broken attachment must not leak the
 * others), then one error naming each failure: "GC failed for N attachment(s): <name>: <message>; …" (code 999).
 */
export async function releaseEach<T>(
  entries: Iterable<T>,
  release: (entry: T) => Promise<unknown>,
  options: { nameOf?: (entry: T) => string; describe?: (e: unknown) => string } = {},
): Promise<void> {
  const { nameOf = String, describe = messageOf } = options;
  const errors: string[] = [];
  for (const entry of entries) {
    try {
      await release(entry);
    } catch (e) {
      errors.push(`${nameOf(entry)}: ${describe(e)}`);
    }
  }
  if (errors.length > 0) {
    throw new CniError(ErrInternal, `GC failed for ${errors.length} attachment(s): ${errors.join('; ')}`);
  }
}
