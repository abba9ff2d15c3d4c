#!/usr/bin/env node
// The installed `netspan-agent` bin. It is checked in rather than pointing the bin at dist/main.js
// because `npm ci` only links (and marks executable) a bin whose file exists at install time,
// and dist/ is produced later by `npm run build`. It runs the one-file bundle the build makes
// (dist/netspan-agent.cjs, see scripts/bundle-agent.mjs: it starts in a fraction of the time),
// or the modules tsc wrote when there is no bundle.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/netspan-agent.cjs', import.meta.url);
const main = new URL('../dist/main.js', import.meta.url);
if (existsSync(bundle)) {
  createRequire(import.meta.url)(fileURLToPath(bundle));
} else if (existsSync(main)) {
  await import(main.href);
} else {
  process.stderr.write('agent is not built yet: run `npm run build` in the repository root\n');
  process.exit(1);
}
