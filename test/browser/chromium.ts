/**
 * Chromium for the browser tests: the system's browser (Debian's `chromium` package) driven by
 * playwright-core, which never downloads one. No browser is an error that says how to install one,
 * not a skipped test: CI installs it (.ci/run), and so should anyone who runs `npm test`.
 */
import { existsSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

export const INSTALL_HINT =
  "the browser tests need Chromium: install it with `sudo apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM=/path/to/chrome";

/** The browser binary: $CHROMIUM, a usual location, or `chromium` on the PATH. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM) {
    if (!existsSync(process.env.CHROMIUM))
      throw new Error(`CHROMIUM=${process.env.CHROMIUM} does not exist; ${INSTALL_HINT}`);
    return process.env.CHROMIUM;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("which", [name], { encoding: "utf8" }).trim();
    } catch {
      // not on the PATH either
    }
  }
  throw new Error(`no Chromium found; ${INSTALL_HINT}`);
}

export interface Session {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile and nothing that reaches the network by itself. */
export async function launchChromium(): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), "gradstep-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser: context.browser()!,
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Console errors and uncaught exceptions of a page, collected from now on. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  return errors;
}
