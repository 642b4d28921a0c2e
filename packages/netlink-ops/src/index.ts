export const placeholder = 'netlink-ops';
