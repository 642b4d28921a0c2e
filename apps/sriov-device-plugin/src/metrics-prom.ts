// Prometheus metrics over HTTP (opt-in with --metrics-port). Also answers /healthz for liveness probes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from './metrics.js';

export interface MetricsEndpoint {
  metrics: Metrics;
  registry: Registry;
  /** Bound port (useful when 0 was asked for). */
  port: number;
  close(): Promise<void>;
}

export async function startMetrics(host: string, port: number, ready: () => boolean): Promise<MetricsEndpoint> {
  const registry = new Registry();
  const rpcs = new Counter({
    name: 'sriovdp_rpc_total',
    help: 'Device plugin gRPC calls served, by resource, method and result',
    labelNames: ['resource', 'method', 'code'],
    registers: [registry],
  });
  const rpcSeconds = new Histogram({
    name: 'sriovdp_rpc_duration_seconds',
    help: 'Device plugin gRPC call duration',
    labelNames: ['resource', 'method'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1],
    registers: [registry],
  });
  const devices = new Gauge({
    name: 'sriovdp_pool_devices',
    help: 'Devices advertised per resource pool, by health',
    labelNames: ['resource', 'health'],
    registers: [registry],
  });
  const registrations = new Counter({
    name: 'sriovdp_registrations_total',
    help: 'Registrations with kubelet, by resource and result',
    labelNames: ['resource', 'result'],
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'sriovdp_kubelet_restarts_total',
    help: 'kubelet restarts detected (own socket removed)',
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'sriovdp_config_reloads_total',
    help: 'Configuration/device re-discoveries, by result',
    labelNames: ['result'],
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'sriovdp_health_transitions_total',
    help: 'Device health changes, by resource and new state',
    labelNames: ['resource', 'health'],
    registers: [registry],
  });
  const metrics: Metrics = {
    rpc(resource, method, code, seconds) {
      rpcs.inc({ resource, method, code });
      rpcSeconds.observe({ resource, method }, seconds);
    },
    pool(resource, healthy, unhealthy) {
      devices.set({ resource, health: 'Healthy' }, healthy);
      devices.set({ resource, health: 'Unhealthy' }, unhealthy);
    },
    poolRemoved(resource) {
      devices.remove({ resource, health: 'Healthy' });
      devices.remove({ resource, health: 'Unhealthy' });
    },
    registration(resource, ok) {
      registrations.inc({ resource, result: ok ? 'success' : 'failure' });
    },
    kubeletRestart() {
      restarts.inc();
    },
    configReload(result) {
      reloads.inc({ result });
    },
    healthTransition(resource, health) {
      transitions.inc({ resource, health });
    },
  };
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    } else if (req.url === '/healthz') {
      const ok = ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ok ? 'ok\n' : 'not ready\n');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    metrics,
    registry,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
