// tsup options shared by the CNI plugin apps (sriov, ib-sriov): one minified, tree-shaken ESM file
// `dist/<exe>.mjs` that runs with only node on the host. Workspace packages are bundled from their TypeScript
// sources (`source` condition); netlink-ops' native addon is copied beside the bundle, where netlink-ops looks for
// it first. Plain JavaScript so that tsup can load it from a config file without compiling it.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

const ADDON = 'netlink_ops.node';
const require = createRequire(import.meta.url);

/**
 * esbuild plugin: every `import … from 'node:fs'` (or 'fs') of the bundle becomes `process.getBuiltinModule(…)`.
 * A static import of a builtin makes Node's ESM loader build a facade module that reads every export of it, and
 * `fs`'s lazy getters then load the whole streams stack: ≈3 ms of each start-up, for nothing. Each export is a
 * pure call, so esbuild drops the ones the bundle never uses (no getter is touched).
 */
export const builtinsAtRuntime = {
  name: 'builtins-via-getBuiltinModule',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      return builtinModules.includes(name) ? { path: name, namespace: 'builtin-at-runtime' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-at-runtime' }, (args) => {
      const names = Object.keys(require(args.path)).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
      const lines = [
        `const m = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
        'const get = (k) => m[k];',
        'export default m;',
        ...names.map((k) => `export const ${k} = /* @__PURE__ */ get(${JSON.stringify(k)});`),
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/** @param {{ exe: string; entry?: string }} options */
export function cniPluginBundle({ exe, entry = 'src/main.ts' }) {
  const netlinkOpsRoot = dirname(require.resolve('@sriov-ts/netlink-ops/package.json'));
  return {
    entry: { [exe]: entry },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    target: 'node20',
    platform: 'node',
    bundle: true,
    splitting: false,
    minify: true,
    treeshake: true,
    sourcemap: false,
    dts: false,
    clean: true,
    noExternal: [/^@sriov-ts\//, 'zod'],
    // env -S -u: a runtime may pass NODE_EXTRA_CA_CERTS through (podman does); parsing a CA bundle costs ~100 ms
    // per start (lab-notes §3) and a CNI plugin makes no TLS connection.
    banner: { js: '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node' },
    removeNodeProtocol: false, // tsup's own plugin would mark `node:` imports external before builtinsAtRuntime
    esbuildPlugins: [builtinsAtRuntime],
    // The bundle becomes a script body (see withCodeCache): its one use of import.meta.url reads the wrapper's parameter.
    define: { 'import.meta.url': BUNDLE_URL_PARAM },
    esbuildOptions(options) {
      options.conditions = ['source'];
    },
    onSuccess: async () => {
      const out = join('dist', `${exe}.mjs`);
      writeFileSync(out, withCodeCache(exe, readFileSync(out, 'utf8')), { mode: 0o755 });
      copyFileSync(join(netlinkOpsRoot, 'build', 'Release', ADDON), join('dist', ADDON));
    },
  };
}

const BUNDLE_URL_PARAM = '__bundleUrl';

/** Where a plugin keeps V8's code cache between runs: root's, beside the single executables' extracted addon. */
export const CODE_CACHE_DIR = '/var/lib/sriov-ts/v8-cache';

/**
 * Turns tsup's one-file ES module (no import or export left: builtins come from process.getBuiltinModule) into a
 * program, valid as an ES module and as CommonJS, that runs that code as a V8 script with a code cache kept between runs (format 'cjs': a single executable's
 * CommonJS main around its CommonJS bundle, the same way). A CNI plugin starts once per pod and
 * V8 compiles every function it calls on first call: ≈20 ms of an ADD on the lab, the largest part of its own cost.
 * Node 20 keeps no compile cache for ES modules, but a vm.Script takes `cachedData`. Each verb (CNI_COMMAND) has its
 * own cache file, written at the exit of its first successful run (createCachedData then holds every function that
 * run compiled) and read by the next ones. V8 checks its version and flags but only the source's length, so the file name
 * carries a hash of the code. The cache directory and file must belong to the running user and be writable by nobody
 * else (they decide what code runs as root); anything unexpected means no cache, never a failure.
 */
export function withCodeCache(exe, bundle, { cacheDir = CODE_CACHE_DIR, format = 'esm' } = {}) {
  const lines = bundle.split('\n');
  const shebang = lines[0].startsWith('#!') ? lines.shift() : '#!/usr/bin/env node';
  const body = lines.join('\n');
  if (/(^|[;\n])(import|export)[\s{*]/.test(body)) throw new Error(`${exe}: the bundle still has an import or export`);
  // esm: the bundle's import.meta.url is the parameter, the wrapper's own URL. cjs (a single executable's main):
  // CommonJS's own five.
  const params = format === 'esm' ? BUNDLE_URL_PARAM : 'exports, require, module, __filename, __dirname';
  const args = format === 'esm' ? 'url' : 'exports, require, module, __filename, __dirname';
  const filename = format === 'esm' ? 'url' : '__filename';
  // The esm wrapper has no import, export or import.meta, so it is the same program as an ES module (`node
  // dist/sriov.mjs`) and as CommonJS, which is how Node loads it once installed as /opt/cni/bin/sriov (no extension,
  // no package.json around): at once, where ESM syntax there would cost a failed CommonJS parse plus the ESM loader
  // (≈ 11 ms of every start on the lab). Its URL: CommonJS's __filename, else the main script Node was given.
  // A plain absolute path (all an install uses) is its URL after "file://"; anything else goes through node:url
  // (loading it and pathToFileURL cost ≈ 0.35 ms of every start on the lab).
  const ownUrl =
    format === 'esm'
      ? "const ownPath = typeof __filename === 'string' ? __filename : fs.realpathSync(process.argv[1]);\nconst url = /^\\/[\\w.\\/-]*$/.test(ownPath) ? 'file://' + ownPath : process.getBuiltinModule('node:url').pathToFileURL(ownPath).href;\n"
      : '';
  const source = `(function (${params}) {"use strict";${body}\n})`;
  new Script(source); // a syntax check: e.g. a top-level await cannot run as a script body
  const id = `${exe}-${createHash('sha256').update(source).digest('hex').slice(0, 16)}`;
  // esm: the code is the block comment that ends the file. Node reads the whole file either way, but the parser
  // skips a comment where it must scan and build a 150 KB string literal (≈ 0.5 ms of every start on the lab). As
  // CommonJS the comment is taken from the module function's own text (no second read); as an ES module, from the
  // file. The code must then hold no "*/"; one that does stays a string literal.
  const inComment = format === 'esm' && !source.includes('*/');
  const sourceDecl = inComment
    ? `const text = typeof __filename === 'string' ? arguments.callee.toString() : fs.readFileSync(ownPath, 'utf8');
const end = text.lastIndexOf('*/');
if (text.slice(end - ${source.length + 2}, end - ${source.length}) !== '/*') throw new Error(\`\${ownPath}: damaged (the code comment at its end is not where it should be)\`);
const source = text.slice(end - ${source.length}, end);
`
    : `const source = ${JSON.stringify(source)};\n`;
  return `${shebang}
// ${exe}: generated by @sriov-ts/bundle (withCodeCache). The plugin's code runs as a V8 script with a code cache kept
// in ${cacheDir}; see tools/bundle/README.md for why.
const fs = process.getBuiltinModule('node:fs');
const vm = process.getBuiltinModule('node:vm');
${ownUrl}${sourceDecl}const dir = ${JSON.stringify(cacheDir)};
const verb = /^[A-Z]{1,16}$/.test(process.env.CNI_COMMAND ?? '') ? process.env.CNI_COMMAND : 'NONE';
const current = \`${id}-\${process.version}-\${process.arch}-\`;
const file = \`\${dir}/\${current}\${verb}.bin\`;
const ours = (st) => st.uid === process.geteuid() && (st.mode & 0o022) === 0;
const ourDir = () => {
  const st = fs.lstatSync(dir);
  return st.isDirectory() && ours(st);
};
let cachedData;
try {
  if (ourDir()) {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const st = fs.fstatSync(fd);
      if (st.isFile() && ours(st)) {
        // One read into a buffer of the size fstat gave (readFileSync would stat and loop again).
        const buffer = Buffer.allocUnsafe(st.size);
        if (fs.readSync(fd, buffer, 0, st.size, 0) === st.size) cachedData = buffer;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
} catch {}
const script = new vm.Script(source, { filename: ${filename}, cachedData });
if (cachedData === undefined || script.cachedDataRejected) {
  // Only a successful run: the cache keeps what its run compiled, and a failed first ADD would leave the success path out.
  process.once('exit', (code) => {
    // Not a failed run, nor one the plugin marked as a shortcut (@sriov-ts/cni skipCodeCacheForThisRun).
    if (code !== 0 || globalThis[Symbol.for('sriov-ts.code-cache.skip')] === true) return;
    const tmp = \`\${file}.\${process.pid}.tmp\`;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!ourDir()) return;
      fs.writeFileSync(tmp, script.createCachedData(), { flag: 'wx', mode: 0o600 });
      fs.renameSync(tmp, file);
      // Caches of an older build of this program (or another Node) are never read again.
      for (const name of fs.readdirSync(dir)) {
        if (name.startsWith(${JSON.stringify(`${exe}-`)}) && !name.startsWith(current)) fs.unlinkSync(\`\${dir}/\${name}\`);
      }
    } catch {
      try {
        fs.unlinkSync(tmp);
      } catch {}
    }
  });
}
script.runInThisContext()(${args});
${inComment ? `/*${source}*/\n` : ''}`;
}
