// Part of `npm run build`: tsc compiles the TypeScript, but the dashboard's page (plain HTML, CSS
// and browser JS, no build step of its own) must be copied beside the compiled handler, which reads
// it from `./assets/` next to itself. A build without the page fails here, not in a user's browser.
import { cpSync, existsSync, readdirSync } from 'node:fs';

const from = new URL('../src/dashboard/assets/', import.meta.url);
const to = new URL('../dist/dashboard/assets/', import.meta.url);
const needed = ['page.html', 'page.css', 'page.js', 'icon.svg'];

const missing = needed.filter((name) => !existsSync(new URL(name, from)));
if (missing.length > 0) {
  process.stderr.write(`copy-dashboard-assets: src/dashboard/assets/ lacks ${missing.join(', ')}\n`);
  process.exit(1);
}
cpSync(from, to, { recursive: true });
process.stdout.write(`copy-dashboard-assets: ${readdirSync(to).length} files to dist/dashboard/assets/\n`);
