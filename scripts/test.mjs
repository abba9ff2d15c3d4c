#!/usr/bin/env node
// Runs every compiled test file (*.test.js under packages/*/dist, services/*/dist and test/dist) with
// node's built-in test runner. Build first (`npm test` does: `tsc -b` then this script).
//
//   node scripts/test.mjs                  all tests
//   node scripts/test.mjs etcd-store dhcp  only files whose path contains "etcd-store" or "dhcp"
//   node scripts/test.mjs --test-name-pattern=lease ipam
//                                          arguments starting with "-" go to node as they are
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function listDirs(parent) {
  try {
    return readdirSync(path.join(root, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(parent, d.name));
  } catch {
    return [];
  }
}

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === 'node_modules') continue;
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) walk(rel, out);
    else if (e.isFile() && e.name.endsWith('.test.js')) out.push(rel);
  }
}

/**
 * A compiled test whose TypeScript source was deleted or renamed stays in dist/ (tsc -b never cleans
 * it up). Its source map names the source; skip the file if that source is gone.
 */
function isOrphan(rel) {
  const mapFile = path.join(root, `${rel}.map`);
  if (!existsSync(mapFile)) return false;
  try {
    const map = JSON.parse(readFileSync(mapFile, 'utf8'));
    const src = map.sources?.[0];
    if (typeof src !== 'string') return false;
    const resolved = path.resolve(path.dirname(mapFile), map.sourceRoot ?? '', src);
    return !existsSync(resolved);
  } catch {
    return false;
  }
}

const roots = [
  ...listDirs('packages').map((d) => path.join(d, 'dist')),
  ...listDirs('services').map((d) => path.join(d, 'dist')),
  'test/dist',
];

const all = [];
for (const r of roots) walk(r, all);
all.sort();

const nodeArgs = [];
const filters = [];
for (const a of process.argv.slice(2)) (a.startsWith('-') ? nodeArgs : filters).push(a);

const files = [];
for (const f of all) {
  if (filters.length > 0 && !filters.some((s) => f.includes(s))) continue;
  if (isOrphan(f)) {
    console.warn(`test.mjs: skipping ${f}: its source no longer exists (stale build output)`);
    continue;
  }
  files.push(f);
}

if (files.length === 0) {
  const where = filters.length > 0 ? ` matching ${filters.map((s) => JSON.stringify(s)).join(' or ')}` : '';
  console.error(
    `test.mjs: no test files found${where} (looked for *.test.js under packages/*/dist, services/*/dist, test/dist; did the build run?)`,
  );
  process.exit(1);
}

// --test-concurrency exists from Node 20.10 / 21; run two files at a time where it does.
const [major, minor] = process.versions.node.split('.').map(Number);
const hasConcurrency = major > 20 || (major === 20 && minor >= 10);
const args = [
  '--test',
  '--test-reporter=spec',
  ...(hasConcurrency ? ['--test-concurrency=2'] : []),
  ...nodeArgs,
  ...files,
];

console.log(`test.mjs: ${files.length} test file(s)`);
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => child.kill(sig));
}
child.on('error', (err) => {
  console.error(`test.mjs: could not run node --test: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    console.error(`test.mjs: test runner killed by ${signal}`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});
