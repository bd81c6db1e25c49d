#!/usr/bin/env node
// Runs the test suites in order (unit, lab, e2e by default, or those named on the command line) and
// ends with one plain line "N passed, N failed" over all of them. Exit code 1 on any failure.
const path = require('path');
const fs = require('fs');
const Mocha = require('mocha');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'out', 'test');

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  const found = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...filesUnder(p));
    else if (e.name.endsWith('.test.js')) found.push(p);
  }
  return found.sort();
}

function runMocha(files, timeout) {
  return new Promise((resolve) => {
    const mocha = new Mocha({ reporter: 'spec', timeout, color: !process.env.CI });
    for (const f of files) mocha.addFile(f);
    const runner = mocha.run((failures) => {
      const s = runner.stats || {};
      resolve({ passed: s.passes || 0, failed: Math.max(s.failures || 0, failures), pending: s.pending || 0 });
    });
  });
}

const suites = {
  unit: () => runMocha(filesUnder(path.join(out, 'unit')), 20000),
  lab: () => runMocha(filesUnder(path.join(out, 'lab')), 60000),
  e2e: () => require(path.join(out, 'vscode', 'harness', 'runE2E.js')).runE2E(),
};

async function main() {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'lab', 'e2e'];
  const total = { passed: 0, failed: 0, pending: 0 };
  for (const name of names) {
    if (!suites[name]) {
      console.error(`unknown suite ${name}; known: ${Object.keys(suites).join(', ')}`);
      process.exit(2);
    }
    console.log(`\n=== ${name} ===`);
    let r;
    try {
      r = await suites[name]();
    } catch (err) {
      console.error(`${name} suite could not run: ${err && err.stack ? err.stack : err}`);
      r = { passed: 0, failed: 1, pending: 0 };
    }
    console.log(`=== ${name}: ${r.passed} passed, ${r.failed} failed${r.pending ? `, ${r.pending} pending` : ''} ===`);
    total.passed += r.passed;
    total.failed += r.failed;
    total.pending += r.pending || 0;
  }
  console.log(`\n${total.passed} passed, ${total.failed} failed${total.pending ? `, ${total.pending} skipped` : ''}`);
  process.exit(total.failed > 0 ? 1 : 0);
}

main();
