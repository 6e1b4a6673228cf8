/**
 * Browser tests drive Debian's Chromium through playwright-core (which brings no browser of its
 * own). Like the service tests, they run when Chromium is installed and are skipped with a printed
 * reason when not; under `SLUICE_REQUIRE_SERVICES=1` (CI) a missing Chromium is a failure.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian installs Chromium; `SLUICE_CHROMIUM` points elsewhere. */
export const chromiumPath = process.env['SLUICE_CHROMIUM'] ?? '/usr/bin/chromium';

/** Why the browser tests are skipped, or undefined when Chromium is there. */
export function checkChromium(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  const reason = `no Chromium at ${chromiumPath} (apt-get install chromium, or set SLUICE_CHROMIUM)`;
  if (process.env['SLUICE_REQUIRE_SERVICES'] === '1') throw new Error(`SLUICE_REQUIRE_SERVICES=1 but ${reason}`);
  console.warn(`skipping the browser tests: ${reason}`);
  return reason;
}

/**
 * Launches headless Chromium. `launch` gives each browser a fresh temporary profile, so no state
 * leaks between runs. The flags keep it quiet and working in a container: no sandbox (no user
 * namespaces here), no GPU, no QUIC, and none of the background calls home.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What went wrong in a page: console errors and warnings, and uncaught exceptions. */
export interface PageProblems {
  readonly messages: string[];
}

/**
 * Records a page's console errors and warnings and its uncaught errors, so a test can assert there
 * were none. `expected` lets through messages a test provokes on purpose (a feed cut off).
 */
export function watchProblems(page: Page, expected: (text: string) => boolean = () => false): PageProblems {
  const messages: string[] = [];
  page.on('console', (message) => {
    const type = message.type();
    const text = `${message.text()} (${message.location().url})`;
    if ((type === 'error' || type === 'warning') && !expected(text)) messages.push(`${type}: ${text}`);
  });
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  return { messages };
}
