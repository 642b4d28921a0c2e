// Replaced at bundle time (tsup `define`) by the package version; 'dev' when running from source.
declare const __SRIOVDP_VERSION__: string | undefined;

export const VERSION: string = typeof __SRIOVDP_VERSION__ === 'string' ? __SRIOVDP_VERSION__ : 'dev';
