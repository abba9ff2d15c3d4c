#!/usr/bin/env node
// Generates TypeScript types for the gRPC contracts with @grpc/proto-loader's type
// generator into packages/api/src/gen. The output is committed and never hand-edited;
// `--check` regenerates into a temp dir and fails when the committed copy differs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const outDir = join(root, 'packages/api/src/gen');
const check = process.argv.includes('--check');

const protos = readdirSync(join(protoDir, 'netspan/v1'))
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => `netspan/v1/${f}`);

function generate(target) {
  rmSync(target, { recursive: true, force: true });
  execFileSync(
    join(root, 'node_modules/.bin/proto-loader-gen-types'),
    [
      ...protos,
      '--grpcLib=@grpc/grpc-js',
      '--longs=Number',
      '--enums=String',
      '--defaults',
      '--oneofs',
      '--includeComments',
      '--inputTemplate=%s__Input',
      '--outputTemplate=%s',
      `--outDir=${target}`,
      '--importFileExtension=.js',
      `--includeDirs=${protoDir}`,
    ],
    { stdio: 'inherit' },
  );
  // The generator writes the absolute path of each .proto into a comment; make it
  // relative so the output does not depend on where the repository is checked out.
  for (const file of walk(target)) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.split(`Original file: ${protoDir}/`).join('Original file: proto/');
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

if (check) {
  const tmp = mkdtempSync(join(tmpdir(), 'netspan-gen-'));
  try {
    generate(tmp);
    const a = [...walk(tmp)].map((f) => relative(tmp, f));
    const b = [...walk(outDir)].map((f) => relative(outDir, f));
    const stale =
      a.length !== b.length ||
      a.some(
        (f, i) => f !== b[i] || readFileSync(join(tmp, f), 'utf8') !== readFileSync(join(outDir, f), 'utf8'),
      );
    if (stale) {
      console.error('packages/api/src/gen is out of date with proto/: run `npm run gen` and commit.');
      process.exit(1);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  generate(outDir);
  console.log(`generated ${[...walk(outDir)].length} files in ${relative(root, outDir)}`);
}
