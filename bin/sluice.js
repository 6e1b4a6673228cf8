#!/usr/bin/env node
// The `sluice` command. A built package runs its compiled command line (dist/); a checkout, where
// nothing is built before use, runs the TypeScript source through tsx (a devDependency) instead.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);

async function loadMain() {
  if (existsSync(compiled)) return import(compiled.href);
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('sluice: there is no dist/ to run and no tsx to run the source with: run "npm run build", or install tsx\n');
    return undefined;
  }
  register();
  return import(new URL('../src/cli/main.ts', import.meta.url).href);
}

const cli = await loadMain();
// exitCode, not exit(): the job's output to stdout may still be flushing, and ends by itself.
process.exitCode = cli === undefined ? 1 : await cli.main(process.argv.slice(2));
