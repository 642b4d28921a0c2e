/**
 * The one result shape every parse function in this package returns. Parsing never throws for any input
 * (bytes, text or an already-decoded JSON value): it answers either a typed, normalised config or a precise error.
 */

/**
 * CNI error codes this package produces.
 * - 6 (`ErrDecodingFailure`): the input is not JSON, or not a JSON object, or `cniVersion` is not a string — the
 *   cases where Go's `skel` fails before the plugin runs.
 * - 7 (`ErrInvalidNetworkConfig`): everything the plugin itself rejects. The Go plugins report these as 999
 *   (`ErrInternal`, any untyped Go error); the message text is the Go plugin's, so a caller that wants byte-for-byte
 *   parity of the code can map 7 → 999.
 */
export type NetConfErrorCode = 6 | 7;

export interface NetConfError {
  readonly code: NetConfErrorCode;
  /** The full message the Go plugin prints as the CNI error `msg` (wrapper prefixes included). */
  readonly message: string;
  /** Dotted location of the offending value in the canonical (Go-folded) input, '' for the whole document. */
  readonly path: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly config: T; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: NetConfError; readonly warnings: readonly string[] };

export function success<T>(config: T, warnings: readonly string[]): ParseResult<T> {
  return { ok: true, config, warnings };
}

export function failure<T>(
  code: NetConfErrorCode,
  message: string,
  path: string,
  warnings: readonly string[],
): ParseResult<T> {
  return { ok: false, error: { code, message, path }, warnings };
}
