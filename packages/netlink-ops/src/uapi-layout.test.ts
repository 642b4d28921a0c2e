// An independent oracle for the struct layouts and constants: compile a C program against this machine's kernel uapi
// headers (linux-libc-dev) and compare with what the TypeScript codec uses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executable, missingPrerequisites } from '@sriov-ts/test-support';
import { describe, expect, it } from 'vitest';
import { IFLA, IFLA_VF, NLM_F, RDMA_NLDEV_ATTR, RTEXT_FILTER_SKIP_STATS, RTEXT_FILTER_VF, RTM } from './constants.js';
import { RDMA_NLDEV_TYPE } from './rdma.js';

const reason = missingPrerequisites('netlink-ops uapi layout', [executable('cc')]);

const program = `
#include <stdio.h>
#include <stddef.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <rdma/rdma_netlink.h>
#define P(name, value) printf("\\"%s\\": %ld,\\n", name, (long)(value))
int main(void) {
  printf("{\\n");
  P("sizeof_ifla_vf_mac", sizeof(struct ifla_vf_mac));
  P("sizeof_ifla_vf_vlan", sizeof(struct ifla_vf_vlan));
  P("sizeof_ifla_vf_vlan_info", sizeof(struct ifla_vf_vlan_info));
  P("offset_vlan_proto", offsetof(struct ifla_vf_vlan_info, vlan_proto));
  P("sizeof_ifla_vf_rate", sizeof(struct ifla_vf_rate));
  P("sizeof_ifla_vf_spoofchk", sizeof(struct ifla_vf_spoofchk));
  P("sizeof_ifla_vf_trust", sizeof(struct ifla_vf_trust));
  P("sizeof_ifla_vf_link_state", sizeof(struct ifla_vf_link_state));
  P("sizeof_ifla_vf_guid", sizeof(struct ifla_vf_guid));
  P("offset_guid", offsetof(struct ifla_vf_guid, guid));
  P("sizeof_ifinfomsg", sizeof(struct ifinfomsg));
  P("IFLA_VF_MAC", IFLA_VF_MAC); P("IFLA_VF_VLAN", IFLA_VF_VLAN); P("IFLA_VF_RATE", IFLA_VF_RATE);
  P("IFLA_VF_SPOOFCHK", IFLA_VF_SPOOFCHK); P("IFLA_VF_LINK_STATE", IFLA_VF_LINK_STATE);
  P("IFLA_VF_TRUST", IFLA_VF_TRUST); P("IFLA_VF_IB_NODE_GUID", IFLA_VF_IB_NODE_GUID);
  P("IFLA_VF_IB_PORT_GUID", IFLA_VF_IB_PORT_GUID); P("IFLA_VF_VLAN_LIST", IFLA_VF_VLAN_LIST);
  P("IFLA_VFINFO_LIST", IFLA_VFINFO_LIST); P("IFLA_NUM_VF", IFLA_NUM_VF); P("IFLA_NET_NS_FD", IFLA_NET_NS_FD);
  P("IFLA_EXT_MASK", IFLA_EXT_MASK); P("IFLA_PROP_LIST", IFLA_PROP_LIST); P("IFLA_ALT_IFNAME", IFLA_ALT_IFNAME);
  P("IFLA_LINK_NETNSID", IFLA_LINK_NETNSID); P("IFLA_PERM_ADDRESS", IFLA_PERM_ADDRESS);
  P("RTEXT_FILTER_VF", RTEXT_FILTER_VF); P("RTEXT_FILTER_SKIP_STATS", RTEXT_FILTER_SKIP_STATS);
  P("RTM_NEWLINKPROP", RTM_NEWLINKPROP); P("RTM_DELLINKPROP", RTM_DELLINKPROP); P("RTM_SETLINK", RTM_SETLINK);
  P("NLM_F_ACK_TLVS", NLM_F_ACK_TLVS); P("NLM_F_CAPPED", NLM_F_CAPPED);
  P("RDMA_NLDEV_GET", RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_GET));
  P("RDMA_NLDEV_SET", RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_SET));
  P("RDMA_NLDEV_SYS_GET", RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_SYS_GET));
  P("RDMA_NLDEV_SYS_SET", RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_SYS_SET));
  P("RDMA_NLDEV_ATTR_DEV_INDEX", RDMA_NLDEV_ATTR_DEV_INDEX); P("RDMA_NLDEV_ATTR_DEV_NAME", RDMA_NLDEV_ATTR_DEV_NAME);
  P("RDMA_NLDEV_NET_NS_FD", RDMA_NLDEV_NET_NS_FD); P("RDMA_NLDEV_SYS_ATTR_NETNS_MODE", RDMA_NLDEV_SYS_ATTR_NETNS_MODE);
  P("RDMA_NLDEV_ATTR_NODE_GUID", RDMA_NLDEV_ATTR_NODE_GUID);
  printf("\\"end\\": 0}\\n");
  return 0;
}
`;

describe.skipIf(reason !== null)('kernel uapi layouts (compiled C oracle)', () => {
  it('matches the sizes, offsets and constants the codec uses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlops-uapi-'));
    try {
      writeFileSync(join(dir, 'uapi.c'), program);
      execFileSync('cc', ['-o', join(dir, 'uapi'), join(dir, 'uapi.c')]);
      const c = JSON.parse(execFileSync(join(dir, 'uapi'), { encoding: 'utf8' })) as Record<string, number>;
      expect(c).toMatchObject({
        sizeof_ifla_vf_mac: 36,
        sizeof_ifla_vf_vlan: 12,
        sizeof_ifla_vf_vlan_info: 16,
        offset_vlan_proto: 12,
        sizeof_ifla_vf_rate: 12,
        sizeof_ifla_vf_spoofchk: 8,
        sizeof_ifla_vf_trust: 8,
        sizeof_ifla_vf_link_state: 8,
        sizeof_ifla_vf_guid: 16,
        offset_guid: 8,
        sizeof_ifinfomsg: 16,
        IFLA_VF_MAC: IFLA_VF.MAC,
        IFLA_VF_VLAN: IFLA_VF.VLAN,
        IFLA_VF_RATE: IFLA_VF.RATE,
        IFLA_VF_SPOOFCHK: IFLA_VF.SPOOFCHK,
        IFLA_VF_LINK_STATE: IFLA_VF.LINK_STATE,
        IFLA_VF_TRUST: IFLA_VF.TRUST,
        IFLA_VF_IB_NODE_GUID: IFLA_VF.IB_NODE_GUID,
        IFLA_VF_IB_PORT_GUID: IFLA_VF.IB_PORT_GUID,
        IFLA_VF_VLAN_LIST: IFLA_VF.VLAN_LIST,
        IFLA_VFINFO_LIST: IFLA.VFINFO_LIST,
        IFLA_NUM_VF: IFLA.NUM_VF,
        IFLA_NET_NS_FD: IFLA.NET_NS_FD,
        IFLA_EXT_MASK: IFLA.EXT_MASK,
        IFLA_PROP_LIST: IFLA.PROP_LIST,
        IFLA_ALT_IFNAME: IFLA.ALT_IFNAME,
        IFLA_LINK_NETNSID: IFLA.LINK_NETNSID,
        IFLA_PERM_ADDRESS: IFLA.PERM_ADDRESS,
        RTEXT_FILTER_VF,
        RTEXT_FILTER_SKIP_STATS,
        RTM_NEWLINKPROP: RTM.NEWLINKPROP,
        RTM_DELLINKPROP: RTM.DELLINKPROP,
        RTM_SETLINK: RTM.SETLINK,
        NLM_F_ACK_TLVS: NLM_F.ACK_TLVS,
        NLM_F_CAPPED: NLM_F.CAPPED,
        RDMA_NLDEV_GET: RDMA_NLDEV_TYPE.GET,
        RDMA_NLDEV_SET: RDMA_NLDEV_TYPE.SET,
        RDMA_NLDEV_SYS_GET: RDMA_NLDEV_TYPE.SYS_GET,
        RDMA_NLDEV_SYS_SET: RDMA_NLDEV_TYPE.SYS_SET,
        RDMA_NLDEV_ATTR_DEV_INDEX: RDMA_NLDEV_ATTR.DEV_INDEX,
        RDMA_NLDEV_ATTR_DEV_NAME: RDMA_NLDEV_ATTR.DEV_NAME,
        RDMA_NLDEV_NET_NS_FD: RDMA_NLDEV_ATTR.NET_NS_FD,
        RDMA_NLDEV_SYS_ATTR_NETNS_MODE: RDMA_NLDEV_ATTR.SYS_ATTR_NETNS_MODE,
        RDMA_NLDEV_ATTR_NODE_GUID: RDMA_NLDEV_ATTR.NODE_GUID,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
