import { describe, expect, it } from 'vitest';
import { startMetrics } from './metrics-prom.js';

describe('Prometheus endpoint', () => {
  it('serves pool, RPC and health metrics and /healthz on 127.0.0.1', async () => {
    let ready = false;
    const m = await startMetrics('127.0.0.1', 0, () => ready);
    try {
      m.metrics.pool('intel.com/a', 3, 1);
      m.metrics.rpc('intel.com/a', 'Allocate', 'OK', 0.001);
      m.metrics.healthTransition('intel.com/a', 'Unhealthy');
      m.metrics.configReload('rejected');
      const body = await (await fetch(`http://127.0.0.1:${m.port}/metrics`)).text();
      expect(body).toContain('sriovdp_pool_devices{resource="intel.com/a",health="Healthy"} 3');
      expect(body).toContain('sriovdp_pool_devices{resource="intel.com/a",health="Unhealthy"} 1');
      expect(body).toContain('sriovdp_rpc_total{resource="intel.com/a",method="Allocate",code="OK"} 1');
      expect(body).toContain('sriovdp_health_transitions_total{resource="intel.com/a",health="Unhealthy"} 1');
      expect(body).toContain('sriovdp_config_reloads_total{result="rejected"} 1');
      expect((await fetch(`http://127.0.0.1:${m.port}/healthz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`http://127.0.0.1:${m.port}/healthz`)).status).toBe(200);
    } finally {
      await m.close();
    }
  });
});
