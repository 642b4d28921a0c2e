/** A lab set-up or tear-down failure. Tear-down collects every step's failure in `errors` and keeps going. */
export class LabError extends Error {
  override readonly name = 'LabError';
  readonly errors: readonly unknown[];

  constructor(message: string, options: { cause?: unknown; errors?: readonly unknown[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.errors = options.errors ?? [];
  }
}
