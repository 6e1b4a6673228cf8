/**
 * Where a TypeScript job module finds the loader that runs it: tsx's `tsx/esm/api` module, resolved
 * from a given module's folder (so a project's own tsx is found), as a URL to `import()` and call
 * `register()` on. Worker threads need it (they do not inherit a loader a test runner installed
 * in-process), and so does `sluice run` for a TypeScript JOB.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Whether the module at `moduleUrl` is TypeScript (`.ts`, `.mts`, `.cts`, `.tsx`), so it needs a loader. */
export function isTypeScript(moduleUrl: string): boolean {
  return /\.[mc]?tsx?$/.test(new URL(moduleUrl).pathname);
}

/**
 * The URL of tsx's ESM registration module (`tsx/esm/api`) as resolved from `fromUrl`'s folder, or
 * undefined when tsx cannot be found from there.
 * @example
 * ```ts
 * const loader = typeScriptLoaderFrom(import.meta.url);
 * if (loader !== undefined) ((await import(loader)) as { register(): void }).register();
 * ```
 */
export function typeScriptLoaderFrom(fromUrl: string): string | undefined {
  try {
    const require = createRequire(fromUrl);
    const manifest = require.resolve('tsx/package.json');
    // require.resolve would pick the CommonJS entry; the ESM one is what `import()` needs.
    const { exports } = require(manifest) as { exports?: Record<string, { import?: { default?: string } }> };
    const entry = exports?.['./esm/api']?.import?.default;
    return entry === undefined ? undefined : new URL(entry, pathToFileURL(manifest)).href;
  } catch {
    return undefined;
  }
}
