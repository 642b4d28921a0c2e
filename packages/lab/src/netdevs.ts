// The lab's only door to real netdevs and namespaces: @sriov-ts/netlink-ops (no `ip`, no shell).
import {
  createBridge,
  createMacvlan,
  createNetns,
  createVeth,
  deleteLink,
  deleteNetns,
  getLink,
  listLinks,
  setLinkMaster,
  setLinkUp,
} from '@sriov-ts/netlink-ops';

export interface RealLink {
  index: number;
  mac: string | null;
  /** As sysfs `operstate` spells it: 'up', 'down', 'unknown', ... */
  operstate: string;
}

export interface NetdevBackend {
  createBridge(name: string): void;
  createVeth(name: string, peer: string): void;
  createMacvlan(name: string, parent: string, mac?: string): void;
  setLinkMaster(name: string, master: string | null): void;
  setLinkUp(name: string): void;
  getLink(name: string): RealLink;
  /** Succeeds when the link is already gone. */
  deleteLink(name: string): void;
  listLinks(): string[];
  /** Returns the path. */
  createNetns(name: string, dir: string): string;
  /** Succeeds when already gone. */
  deleteNetns(path: string): void;
}

export const netdevBackend = async (): Promise<NetdevBackend> => ({
  createBridge: (name) => createBridge(name),
  createVeth: (name, peer) => createVeth(name, peer),
  createMacvlan: (name, parent, mac) =>
    createMacvlan(name, parent, mac === undefined ? { mode: 'bridge' } : { mode: 'bridge', mac }),
  setLinkMaster: (name, master) => setLinkMaster(name, master),
  setLinkUp: (name) => setLinkUp(name),
  getLink(name) {
    const info = getLink(name);
    return { index: info.index, mac: info.mac ?? null, operstate: info.operState.toLowerCase() };
  },
  deleteLink: (name) => {
    deleteLink(name);
  },
  listLinks: () => listLinks().map((link) => link.name),
  createNetns: (name, dir) => createNetns(name, { dir }),
  deleteNetns: (path) => deleteNetns(path),
});
