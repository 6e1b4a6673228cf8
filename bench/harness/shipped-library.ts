/**
 * The library as the package ships it, for the bench's build: esbuild would compile `src/` itself
 * and keep its comments, but `npm run build` emits JavaScript without them (the declarations keep
 * the docs). The comments are a third of the library's source, and a file with one character
 * outside Latin-1 in a comment (a dash, an arrow) is held by V8 as two bytes a character. Every
 * thread holds the source of every module it loaded, so the bench compiles `src/` with
 * TypeScript's own options from `tsconfig.build.json`, as the package does, before esbuild bundles
 * it: each thread of a job then holds the library the size a user's does.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import ts from 'typescript';

const LIBRARY_DIR = fileURLToPath(new URL('../../src/', import.meta.url));
const BUILD_CONFIG = fileURLToPath(new URL('../../tsconfig.build.json', import.meta.url));

/** The compiler options `npm run build` emits the library's JavaScript with. */
function shippedOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    BUILD_CONFIG,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(`tsconfig.build.json: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
      },
    },
  );
  if (parsed === undefined) throw new Error(`cannot read ${BUILD_CONFIG}`);
  // One file at a time, into esbuild's bundle: no declarations, no maps, nothing written. A file
  // compiled alone cannot see that the package is `"type": "module"`, which is what makes NodeNext
  // emit ECMAScript modules, so it is told so directly.
  const { moduleResolution: _resolution, ...options } = parsed.options;
  return { ...options, module: ts.ModuleKind.ESNext, declaration: false, declarationMap: false, sourceMap: false, inlineSourceMap: false, noEmit: false };
}

/**
 * An esbuild plugin that loads each TypeScript file of `src/` as `npm run build` compiles it.
 *
 * @example
 * ```ts
 * await build({ entryPoints, bundle: true, plugins: [shippedLibrary()] });
 * ```
 */
export function shippedLibrary(): Plugin {
  return {
    name: 'sluice-as-shipped',
    setup(build) {
      const options = shippedOptions();
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(LIBRARY_DIR)) return undefined;
        const source = await readFile(args.path, 'utf8');
        const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: args.path });
        // Still TypeScript to esbuild, so its imports of `./x.js` keep resolving to `./x.ts`.
        return { contents: outputText, loader: 'ts' };
      });
    },
  };
}
