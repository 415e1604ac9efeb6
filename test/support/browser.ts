/**
 * A real headless Chromium for browser tests: Debian's `chromium` package, driven with
 * playwright-core (which brings no browser of its own), and a place for screenshots.
 */
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian's `chromium` package puts its launcher. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The switches every test browser runs with. Playwright's `headless: true` and its defaults
 * already add most of them (`--headless`, `--no-sandbox`, `--disable-background-networking`,
 * `--disable-component-update`, `--no-first-run`, `--disable-sync`); they are listed again so
 * this list alone says how the browser runs, and a repeated switch is harmless. They must not
 * go in `ignoreDefaultArgs`: Playwright filters that list out of the caller's `args` too.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
] as const;

/** Screenshots and other files a test run leaves for people to look at (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export type ChromiumProbe =
  | { available: true; path: string }
  | { available: false; path: string; required: boolean; message: string };

/**
 * Whether Chromium can be started here. A missing browser is `required` in CI (`CI=true`:
 * the caller fails a test with `message`); elsewhere the message, printed here, says the
 * suite is skipped.
 *
 * @example
 * const chromium = probeChromium();
 * if (!chromium.available && chromium.required)
 *   it('finds Chromium', () => {
 *     throw new Error(chromium.message);
 *   });
 * describe.skipIf(!chromium.available)('in a browser', () => { … });
 */
export function probeChromium(path = CHROMIUM_PATH): ChromiumProbe {
  try {
    accessSync(path, constants.X_OK);
    return { available: true, path };
  } catch {
    const required = process.env.CI === 'true';
    const message = required
      ? `Chromium is required in CI at ${path}; install Debian's chromium package`
      : `Chromium not found at ${path} (apt-get install chromium); skipping the browser tests`;
    if (!required) console.warn(message);
    return { available: false, path, required, message };
  }
}

/**
 * Launches headless Chromium. Each `browser.newContext()` is a fresh profile (cookies,
 * storage), so two contexts are two people; close the browser in an `afterAll`.
 */
export function launchChromium(path = CHROMIUM_PATH): Promise<Browser> {
  return chromium.launch({
    executablePath: path,
    headless: true,
    chromiumSandbox: false,
    args: [...CHROMIUM_FLAGS],
    timeout: 60_000,
  });
}

/** Saves a screenshot of the viewport as `test-artifacts/<folder>/<name>.png`; returns the path. */
export async function saveScreenshot(page: Page, folder: string, name: string): Promise<string> {
  const dir = `${ARTIFACTS_DIR}${folder}`;
  await mkdir(dir, { recursive: true });
  const path = `${dir}/${name}.png`;
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}
