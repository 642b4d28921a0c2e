// RDMA netlink (NETLINK_RDMA = 20, the nldev client): system netns mode, device list, device netns move.
// Messages carry no family header: attributes follow the nlmsghdr directly. Flags as iproute2's rdma tool sends them
// (REQUEST|ACK, plus DUMP for the device list).

import { formatGuid } from './addr-format.js';
import { AttrWriter, attributeMap, readString, readU8, readU32, readU64 } from './codec.js';
import { NETLINK_RDMA, NLM_F, RDMA_NL_NLDEV, RDMA_NLDEV_ATTR, RDMA_NLDEV_CMD, rdmaNlType } from './constants.js';
import { type NetnsOption, type OpsContext, withConnection, withNetnsFd } from './context.js';
import { NetlinkError } from './errors.js';
import { InvalidArgumentError } from './validate.js';

export const RDMA_NLDEV_TYPE = {
  GET: rdmaNlType(RDMA_NL_NLDEV, RDMA_NLDEV_CMD.GET),
  SET: rdmaNlType(RDMA_NL_NLDEV, RDMA_NLDEV_CMD.SET),
  SYS_GET: rdmaNlType(RDMA_NL_NLDEV, RDMA_NLDEV_CMD.SYS_GET),
  SYS_SET: rdmaNlType(RDMA_NL_NLDEV, RDMA_NLDEV_CMD.SYS_SET),
} as const;

/** 'shared': RDMA devices are visible in every netns (the default); 'exclusive': each belongs to one netns. */
export type RdmaNetnsMode = 'shared' | 'exclusive';

export interface RdmaDevice {
  index: number;
  name: string;
  /** Number of ports. */
  ports?: number;
  nodeGuid?: string;
  sysImageGuid?: string;
  firmwareVersion?: string;
  nodeType?: number;
  protocol?: string;
}

/** `rdma system show`: the netns mode (RDMA_NLDEV_CMD_SYS_GET). */
export function getRdmaNetnsMode(ctx: OpsContext, opts: NetnsOption = {}): RdmaNetnsMode {
  return withConnection(ctx, NETLINK_RDMA, opts.netns, (c) => {
    const reply = c.get('getRdmaNetnsMode', RDMA_NLDEV_TYPE.SYS_GET, new Uint8Array(0), NLM_F.ACK);
    const mode = readU8(attributeMap(reply.payload).get(RDMA_NLDEV_ATTR.SYS_ATTR_NETNS_MODE));
    if (mode === undefined) throw new InvalidArgumentError('RDMA SYS_GET reply without NETNS_MODE');
    return mode === 0 ? 'exclusive' : 'shared';
  });
}

/** `rdma system set netns shared|exclusive` (RDMA_NLDEV_CMD_SYS_SET). The kernel answers EBUSY while other netns exist. */
export function setRdmaNetnsMode(ctx: OpsContext, mode: RdmaNetnsMode, opts: NetnsOption = {}): void {
  if (mode !== 'shared' && mode !== 'exclusive') throw new InvalidArgumentError(`unknown RDMA netns mode ${mode}`);
  withConnection(ctx, NETLINK_RDMA, opts.netns, (c) => {
    const w = new AttrWriter(16);
    w.u8(RDMA_NLDEV_ATTR.SYS_ATTR_NETNS_MODE, mode === 'shared' ? 1 : 0);
    c.ack(`setRdmaNetnsMode ${mode}`, RDMA_NLDEV_TYPE.SYS_SET, 0, w.finish());
  });
}

/** `rdma dev show`: the RDMA devices visible in the netns (RDMA_NLDEV_CMD_GET dump). */
export function listRdmaDevices(ctx: OpsContext, opts: NetnsOption = {}): RdmaDevice[] {
  return withConnection(ctx, NETLINK_RDMA, opts.netns, (c) =>
    c.dump('listRdmaDevices', RDMA_NLDEV_TYPE.GET, new Uint8Array(0), NLM_F.ACK).flatMap((m) => {
      const a = attributeMap(m.payload);
      const index = readU32(a.get(RDMA_NLDEV_ATTR.DEV_INDEX));
      const name = readString(a.get(RDMA_NLDEV_ATTR.DEV_NAME));
      if (index === undefined || name === undefined) return [];
      const dev: RdmaDevice = { index, name };
      const ports = readU32(a.get(RDMA_NLDEV_ATTR.PORT_INDEX));
      if (ports !== undefined) dev.ports = ports;
      const node = readU64(a.get(RDMA_NLDEV_ATTR.NODE_GUID));
      if (node !== undefined) dev.nodeGuid = formatGuid(node);
      const sys = readU64(a.get(RDMA_NLDEV_ATTR.SYS_IMAGE_GUID));
      if (sys !== undefined) dev.sysImageGuid = formatGuid(sys);
      const fw = readString(a.get(RDMA_NLDEV_ATTR.FW_VERSION));
      if (fw) dev.firmwareVersion = fw;
      const nodeType = readU8(a.get(RDMA_NLDEV_ATTR.DEV_NODE_TYPE));
      if (nodeType !== undefined) dev.nodeType = nodeType;
      const protocol = readString(a.get(RDMA_NLDEV_ATTR.DEV_PROTOCOL));
      if (protocol) dev.protocol = protocol;
      return [dev];
    }),
  );
}

export interface MoveRdmaDeviceOptions extends NetnsOption {
  /** Destination netns path. */
  toNetns: string;
}

/**
 * `rdma dev set DEV netns NS`: resolves the device index by name (GET dump in opts.netns), then sends
 * RDMA_NLDEV_CMD_SET with DEV_INDEX + NET_NS_FD. Requires exclusive mode (EOPNOTSUPP otherwise).
 */
export function moveRdmaDevice(ctx: OpsContext, device: string | number, opts: MoveRdmaDeviceOptions): void {
  if (typeof device === 'string' && (device.length === 0 || device.length > 63 || /[/\s\0]/.test(device)))
    throw new InvalidArgumentError(`invalid RDMA device name ${JSON.stringify(device)}`);
  const index = typeof device === 'number' ? device : listRdmaDevices(ctx, opts).find((d) => d.name === device)?.index;
  if (index === undefined) throw new NetlinkError(`moveRdmaDevice ${device}`, 19 /* ENODEV */);
  withConnection(ctx, NETLINK_RDMA, opts.netns, (c) =>
    withNetnsFd(ctx, opts.toNetns, (fd) => {
      const w = new AttrWriter(32);
      w.u32(RDMA_NLDEV_ATTR.DEV_INDEX, index);
      w.u32(RDMA_NLDEV_ATTR.NET_NS_FD, fd);
      c.ack(`moveRdmaDevice ${device}`, RDMA_NLDEV_TYPE.SET, 0, w.finish());
    }),
  );
}
