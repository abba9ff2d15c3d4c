#!/usr/bin/env node
// The installed `netspan-agent` bin. It is checked in rather than pointing the bin at dist/main.js
// because `npm ci` only links (and marks executable) a bin whose file exists at install time,
// and dist/ is produced later by `npm run build`.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('agent is not built yet: run `npm run build` in the repository root\n');
  process.exit(1);
}
await import(main.href);
