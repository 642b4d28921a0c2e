export const placeholder = 'netconf-schema';
