// Builds dist/nginxScan.wasm (the nginx error.log scanner, src/core/logs/wasm/nginxScan.c) with Debian's
// clang and lld (scripts/setup.sh installs them). Without clang the build still succeeds: there is no .wasm
// and the logs code uses its JavaScript path. Returns true when the file was built.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const SOURCE = path.join(root, 'src', 'core', 'logs', 'wasm', 'nginxScan.c');
const OUT = path.join(root, 'dist', 'nginxScan.wasm');

function buildWasm({ quiet = false } = {}) {
  const clang = process.env.CLANG || 'clang';
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.rmSync(OUT, { force: true });
  const args = ['--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-nostdlib', '-Wl,--no-entry', '-Wl,--export-dynamic', '-Wl,--strip-all', '-o', OUT, SOURCE];
  const r = spawnSync(clang, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    fs.rmSync(OUT, { force: true });
    if (!quiet) {
      const why = r.error ? (r.error.code === 'ENOENT' ? `${clang} not found` : r.error.message) : (r.stderr || '').trim().split('\n').slice(0, 5).join('\n');
      console.warn(`build-wasm: no dist/nginxScan.wasm (${why}); logs use the JavaScript path`);
    }
    return false;
  }
  return true;
}

module.exports = { buildWasm, OUT };

if (require.main === module) process.exit(buildWasm() ? 0 : 1);
