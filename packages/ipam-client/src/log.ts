/**
 * Where this package writes diagnostics: any object with these methods (the @sriov-ts/cni logger fits). The
 * delegated IPAM plugin's stderr goes to `info`.
 */
export interface LogSink {
  error(msg: string): void;
  warning(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}
