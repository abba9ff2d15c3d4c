#!/usr/bin/env node
import { run } from './run.js';

// Node warns (DEP0123) when a TLS target is an IP address, as in --server 127.0.0.1:7700 with
// --tls-ca; that is noise for an operator reading the command's output.
process.noDeprecation = true;

// `netspanctl lease list | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Ctrl-C ends `lease watch` (and cancels calls in flight) cleanly; a second one kills.
const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort());

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupted.signal,
});
