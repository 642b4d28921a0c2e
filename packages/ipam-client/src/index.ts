export const placeholder = 'ipam-client';
export { placeholder as cniName } from '@sriov-ts/cni';
