export const placeholder = 'cni';
