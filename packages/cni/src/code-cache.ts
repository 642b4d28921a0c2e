// A hint to the launcher of a bundled plugin (tools/bundle's withCodeCache), which keeps V8's code cache per verb and
// writes it at the exit of the verb's first successful run: the cache then holds exactly what that run compiled.

/** The global the launcher reads at exit (a registered symbol: the launcher and the bundle share no module). */
export const SKIP_CODE_CACHE = Symbol.for('sriov-ts.code-cache.skip');

/**
 * Says that this run took a shortcut (a DEL with nothing to delete) and must not become its verb's code cache: such a
 * cache would lack the verb's real path, and every later run would compile that path anew. A later complete run
 * writes the cache instead. Harmless without a launcher.
 */
export function skipCodeCacheForThisRun(): void {
  (globalThis as Record<symbol, unknown>)[SKIP_CODE_CACHE] = true;
}
