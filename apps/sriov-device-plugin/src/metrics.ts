// What the plugin reports about itself. The default does nothing; `--metrics-port` swaps in the prom-client
// implementation (loaded lazily so start-up never pays for prom-client when metrics are off).

export interface Metrics {
  rpc(resource: string, method: string, code: 'OK' | 'ERROR', seconds: number): void;
  pool(resource: string, healthy: number, unhealthy: number): void;
  poolRemoved(resource: string): void;
  registration(resource: string, ok: boolean): void;
  kubeletRestart(): void;
  configReload(result: 'applied' | 'rejected' | 'unchanged'): void;
  healthTransition(resource: string, health: 'Healthy' | 'Unhealthy'): void;
}

export const noopMetrics: Metrics = {
  rpc() {},
  pool() {},
  poolRemoved() {},
  registration() {},
  kubeletRestart() {},
  configReload() {},
  healthTransition() {},
};
