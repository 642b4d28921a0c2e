export const placeholder = 'lab';
