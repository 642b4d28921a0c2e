// The netlink side of host facts, through @sriov-ts/netlink-ops: which netdevs carry the IPv4 default route (the
// host uplink, never offered) and live link state for device health.
import { uplinkNetdevs } from '@sriov-ts/device-selection';
import type { LinkInfo, NetlinkOps } from '@sriov-ts/netlink-ops';
import type { LinkEvent, LinkSource } from './health.js';
import type { Logger } from './logger.js';

/** Netdev names with an IPv4 default route in the main table (as the Go plugin's HasDefaultRoute). */
export function defaultRouteNetdevs(ops: NetlinkOps): Set<string> {
  return uplinkNetdevs(ops.listLinks(), ops.listRoutes({ family: 4 }));
}

/** Operationally up: admin up with carrier (IFF_RUNNING). */
const isUp = (l: LinkInfo) => l.up && l.running;

/** Link events from an RTNLGRP_LINK subscription, translated to names (renames become remove + add). */
export function netlinkLinkSource(ops: NetlinkOps, log: Logger): LinkSource {
  let stream: ReturnType<NetlinkOps['watchLinks']> | null = null;
  return {
    async start(onEvent: (e: LinkEvent) => void): Promise<Map<string, boolean>> {
      // Subscribe first, then list, so nothing between the two is lost (a duplicate is harmless).
      const s = ops.watchLinks({ keepAlive: false });
      stream = s;
      const names = new Map<number, string>();
      const state = new Map<string, boolean>();
      for (const l of ops.listLinks()) {
        names.set(l.index, l.name);
        state.set(l.name, isUp(l));
      }
      void (async () => {
        try {
          for await (const ev of s) {
            const known = names.get(ev.link.index);
            if (ev.type === 'remove') {
              names.delete(ev.link.index);
              const name = ev.link.name || known;
              if (name) onEvent({ name, up: false, deleted: true });
              continue;
            }
            if (known !== undefined && known !== ev.link.name) onEvent({ name: known, up: false, deleted: true });
            names.set(ev.link.index, ev.link.name);
            onEvent({ name: ev.link.name, up: isUp(ev.link), deleted: false });
          }
        } catch (err) {
          log.error('link event stream failed; device health no longer follows links', { err });
        }
      })();
      return state;
    },
    stop() {
      stream?.close();
      stream = null;
    },
  };
}
