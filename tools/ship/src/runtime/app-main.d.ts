// The app's main module, substituted by the build (see build-exe.ts).
declare module 'ship:app-main' {}
