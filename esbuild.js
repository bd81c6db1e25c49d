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

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // Worker thread that analyzeFiles starts for the second half of a large log (next to cli.js / extension.js).
  { ...common, entryPoints: ['src/core/logs/logsWorker.ts'], outfile: 'dist/logsWorker.js' },
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
