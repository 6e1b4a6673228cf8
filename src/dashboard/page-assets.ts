/**
 * The page's files, served from the package itself (no CDN: the page works offline): read from the
 * `assets` folder beside this module — `src/dashboard/assets` in a checkout, `dist/dashboard/assets`
 * in the built package, where the build copies them — once, then kept in memory.
 */
import { readFile } from 'node:fs/promises';

/** The files of the page, by the name they are served under, with their content types. */
export const PAGE_ASSETS: ReadonlyMap<string, string> = new Map([
  ['page.html', 'text/html; charset=utf-8'],
  ['page.css', 'text/css; charset=utf-8'],
  ['page.js', 'text/javascript; charset=utf-8'],
  // Without an icon of its own the browser asks for /favicon.ico, outside the dashboard's path.
  ['icon.svg', 'image/svg+xml'],
]);

/** The folder the published package holds the page in. */
export const DEFAULT_ASSETS = new URL('./assets/', import.meta.url);

export class PageAssets {
  readonly #folder: URL;
  readonly #read = new Map<string, Promise<Buffer>>();

  /** @param folder a `file:` URL of the folder, ending in `/`. */
  constructor(folder: URL) {
    this.#folder = folder;
  }

  /**
   * The bytes of `name` (one of {@link PAGE_ASSETS}).
   * @throws (rejects) the read's error when the file is missing: a package built without its page.
   */
  bytes(name: string): Promise<Buffer> {
    let read = this.#read.get(name);
    if (read === undefined) {
      read = readFile(new URL(name, this.#folder));
      this.#read.set(name, read);
      // A failed read is tried again next time rather than remembered.
      read.catch(() => this.#read.delete(name));
    }
    return read;
  }
}
