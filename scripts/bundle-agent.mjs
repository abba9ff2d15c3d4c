#!/usr/bin/env node
// Bundles the host agent (services/agent/dist/main.js, as built by `tsc -b`) into one file,
// services/agent/dist/netspan-agent.cjs, which bin/agent.js and the simulation run.
//
// Why: a join waits for the agent's start-up, and Node 20 spent most of it resolving, reading and
// linking some 300 module files (grpc-js, protobufjs, pino and ours) one by one. One CommonJS file
// loads in a fraction of that, and being CommonJS it can be compiled from V8's code cache
// (bin/agent.js). koffi stays outside: it is a native addon, found in node_modules at run time.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const agent = join(root, 'services/agent');

await build({
  entryPoints: [join(agent, 'dist/main.js')],
  outfile: join(agent, 'dist/netspan-agent.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['koffi'],
  // import.meta.url (locating proto/ and the like) as the bundle's own URL.
  define: { 'import.meta.url': '__netspanBundleUrl' },
  banner: { js: "const __netspanBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
