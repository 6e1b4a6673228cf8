/**
 * The `sluice` command as the bench starts it: what bin/sluice.js does with a built package
 * (`main` over the arguments, its status as the exit code), built by esbuild in the same pass as
 * the job modules. The command and the job module it imports then share the library's chunks, one
 * copy of Sluice per process, as an installed package's `dist/cli/main.js` and a job importing
 * `sluice` share `dist/`; bin/sluice.js in this checkout would instead run the command's source
 * under tsx (there is no dist/), a second copy of the library beside the built job module.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
