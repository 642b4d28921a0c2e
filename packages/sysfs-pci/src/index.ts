export const placeholder = 'sysfs-pci';
