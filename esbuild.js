// Bundles the extension (vscode stays external) and the CLI. `--production` minifies; `--watch` rebuilds.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

// The CLI speaks HTTP/1.1 only (the probe offers ALPN http/1.1 on sockets it made itself), so undici's
// HTTP/2 client never runs there; its top-level require('node:http2') alone costs ~10 ms of every
// one-shot CLI start. In the CLI bundle it is replaced by a stub that says so if it is ever reached.
const noUndiciH2 = {
  name: 'no-undici-h2',
  setup(b) {
    b.onResolve({ filter: /^\.\/client-h2(\.js)?$/ }, (a) => (/[\\/]undici[\\/]/.test(a.importer) ? { path: 'undici-client-h2', namespace: 'gd-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'gd-stub' }, () => ({
      contents: "module.exports = function connectH2() { throw new Error('HTTP/2 is not built into the gateway-doctor CLI'); };",
      loader: 'js',
    }));
  },
};

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [noUndiciH2] },
];

async function main() {
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

main().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
