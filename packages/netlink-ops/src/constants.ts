// Kernel uapi values (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h, rdma/rdma_netlink.h).

export const NETLINK_ROUTE = 0;
export const NETLINK_RDMA = 20;
export const SOL_NETLINK = 270;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;
export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33;

export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;

export const NLM_F = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  ECHO: 0x8,
  DUMP_INTR: 0x10,
  DUMP_FILTERED: 0x20,
  ROOT: 0x100,
  MATCH: 0x200,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
  /** In NLMSG_ERROR: the original payload was left out. */
  CAPPED: 0x100,
  /** In NLMSG_ERROR / NLMSG_DONE: extended-ACK TLVs follow. */
  ACK_TLVS: 0x200,
} as const;

export const NLMSGERR_ATTR = { MSG: 1, OFFS: 2, COOKIE: 3, POLICY: 4, MISS_TYPE: 5, MISS_NEST: 6 } as const;

export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  SETLINK: 19,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
  NEWLINKPROP: 108,
  DELLINKPROP: 109,
} as const;

export const RTMGRP_LINK = 0x1;

export const IFLA = {
  ADDRESS: 1,
  BROADCAST: 2,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  QDISC: 6,
  STATS: 7,
  MASTER: 10,
  TXQLEN: 13,
  OPERSTATE: 16,
  LINKMODE: 17,
  LINKINFO: 18,
  NET_NS_PID: 19,
  IFALIAS: 20,
  NUM_VF: 21,
  VFINFO_LIST: 22,
  STATS64: 23,
  AF_SPEC: 26,
  GROUP: 27,
  NET_NS_FD: 28,
  EXT_MASK: 29,
  PROMISCUITY: 30,
  NUM_TX_QUEUES: 31,
  NUM_RX_QUEUES: 32,
  CARRIER: 33,
  PHYS_PORT_ID: 34,
  LINK_NETNSID: 37,
  PHYS_SWITCH_ID: 36,
  PHYS_PORT_NAME: 38,
  TARGET_NETNSID: 46,
  PROP_LIST: 52,
  ALT_IFNAME: 53,
  PERM_ADDRESS: 54,
  PARENT_DEV_NAME: 56,
  PARENT_DEV_BUS_NAME: 57,
} as const;

export const IFLA_INFO = { KIND: 1, DATA: 2, SLAVE_KIND: 4 } as const;
export const VETH_INFO_PEER = 1;
export const IFLA_MACVLAN_MODE = 1;
export const MACVLAN_MODE = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } as const;

export const IFLA_VF_INFO = 1;
export const IFLA_VF = {
  MAC: 1,
  VLAN: 2,
  TX_RATE: 3,
  SPOOFCHK: 4,
  LINK_STATE: 5,
  RATE: 6,
  RSS_QUERY_EN: 7,
  STATS: 8,
  TRUST: 9,
  IB_NODE_GUID: 10,
  IB_PORT_GUID: 11,
  VLAN_LIST: 12,
  BROADCAST: 13,
} as const;
export const IFLA_VF_VLAN_INFO = 1;
export const IFLA_VF_LINK_STATE = { auto: 0, enable: 1, disable: 2 } as const;
export const IFLA_VF_STATS = {
  RX_PACKETS: 0,
  TX_PACKETS: 1,
  RX_BYTES: 2,
  TX_BYTES: 3,
  BROADCAST: 4,
  MULTICAST: 5,
  RX_DROPPED: 7,
  TX_DROPPED: 8,
} as const;

export const RTEXT_FILTER_VF = 1;
export const RTEXT_FILTER_SKIP_STATS = 8;

export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;

export const IFF = { UP: 0x1, BROADCAST: 0x2, LOOPBACK: 0x8, POINTOPOINT: 0x10, RUNNING: 0x40, NOARP: 0x80 } as const;

export const IFA = {
  ADDRESS: 1,
  LOCAL: 2,
  LABEL: 3,
  BROADCAST: 4,
  ANYCAST: 5,
  CACHEINFO: 6,
  FLAGS: 8,
} as const;
export const IFA_F = { SECONDARY: 0x1, NODAD: 0x2, DADFAILED: 0x8, TENTATIVE: 0x40, PERMANENT: 0x80 } as const;

export const RTA = {
  DST: 1,
  SRC: 2,
  IIF: 3,
  OIF: 4,
  GATEWAY: 5,
  PRIORITY: 6,
  PREFSRC: 7,
  METRICS: 8,
  MULTIPATH: 9,
  TABLE: 15,
  PREF: 20,
} as const;
export const RTAX_MTU = 2;
export const RT_TABLE = { UNSPEC: 0, DEFAULT: 253, MAIN: 254, LOCAL: 255 } as const;
export const RT_SCOPE = { universe: 0, site: 200, link: 253, host: 254, nowhere: 255 } as const;
export const RTPROT = { UNSPEC: 0, KERNEL: 2, BOOT: 3, STATIC: 4 } as const;
export const RTN = {
  UNICAST: 1,
  LOCAL: 2,
  BROADCAST: 3,
  ANYCAST: 4,
  MULTICAST: 5,
  BLACKHOLE: 6,
  UNREACHABLE: 7,
} as const;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

export const RDMA_NL_NLDEV = 5;
/** RDMA_NL_GET_TYPE(client, op) = (client << 10) + op. */
export const rdmaNlType = (client: number, op: number): number => (client << 10) + op;
export const RDMA_NLDEV_CMD = { GET: 1, SET: 2, PORT_GET: 5, SYS_GET: 6, SYS_SET: 7 } as const;
export const RDMA_NLDEV_ATTR = {
  DEV_INDEX: 1,
  DEV_NAME: 2,
  PORT_INDEX: 3,
  CAP_FLAGS: 4,
  FW_VERSION: 5,
  NODE_GUID: 6,
  SYS_IMAGE_GUID: 7,
  DEV_NODE_TYPE: 14,
  NDEV_INDEX: 50,
  NDEV_NAME: 51,
  LINK_TYPE: 65,
  SYS_ATTR_NETNS_MODE: 66,
  DEV_PROTOCOL: 67,
  NET_NS_FD: 68,
} as const;

/** Operational states (IF_OPER_*), as iproute2 prints them. */
export const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'] as const;
