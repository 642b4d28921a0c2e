// Validation of the identifiers a runtime hands a plugin, with Go libcni's codes and messages
// (pkg/utils ValidateContainerID / ValidateNetworkName / ValidateInterfaceName).
import { CniError, ErrInvalidEnvironmentVariables, ErrInvalidNetworkConfig, ErrUnknownContainer } from './errors.js';

/** Spec rule for container IDs and network names. The spec sets no maximum length. */
const CNI_VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** IFNAMSIZ - 1: the kernel's limit, in bytes. */
export const MAX_INTERFACE_NAME_LENGTH = 15;

/** Go unicode.IsSpace: ASCII white space, U+0085, U+00A0 and the Unicode White_Space code points. */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

export function isValidContainerId(id: string): boolean {
  return CNI_VALID_NAME.test(id);
}

/** Empty → code 3 "missing containerID"; bad characters → code 4 "invalid characters in containerID". */
export function validateContainerId(id: string): void {
  if (id === '') throw new CniError(ErrUnknownContainer, 'missing containerID');
  if (!CNI_VALID_NAME.test(id))
    throw new CniError(ErrInvalidEnvironmentVariables, 'invalid characters in containerID', id);
}

/** Empty → code 7 "missing network name:" (sic, Go); bad characters → code 7. */
export function validateNetworkName(name: string): void {
  if (name === '') throw new CniError(ErrInvalidNetworkConfig, 'missing network name:');
  if (!CNI_VALID_NAME.test(name)) {
    throw new CniError(ErrInvalidNetworkConfig, 'invalid characters found in network name', name);
  }
}

/** Why an interface name is invalid (Go's message and details), or null when it is valid. */
function interfaceNameProblem(name: string): [msg: string, details: string] | null {
  if (name.length === 0) return ['interface name is empty', ''];
  if (Buffer.byteLength(name, 'utf8') > MAX_INTERFACE_NAME_LENGTH) {
    return [
      'interface name is too long',
      `interface name should be less than ${MAX_INTERFACE_NAME_LENGTH + 1} characters`,
    ];
  }
  if (name === '.' || name === '..') return ['interface name is . or ..', ''];
  if (name.includes('/') || name.includes(':') || GO_SPACE.test(name)) {
    return ['interface name contains / or : or whitespace characters', ''];
  }
  return null;
}

export function isValidInterfaceName(name: string): boolean {
  return interfaceNameProblem(name) === null;
}

/** Kernel rules as Go checks them: 1–15 bytes, not "." or "..", no "/", ":" or white space. Code 4. */
export function validateInterfaceName(name: string): void {
  const problem = interfaceNameProblem(name);
  if (problem !== null) throw new CniError(ErrInvalidEnvironmentVariables, problem[0], problem[1]);
}
