import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium (`command -v chromium`), never a downloaded browser. Absent, the browser
 * suites fail under CI=true (`.ci/run` installs it) and are skipped locally, with this line.
 */
export const chromiumPath = (): string | null => {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
};

export const MISSING_CHROMIUM = "Chromium is not installed: the browser tests need Debian's (apt-get install -y chromium); it is never downloaded";

/** Whether to run the browser suites: yes with Chromium; without it, a skip locally and a failure in CI. */
export const browserAvailable = (): boolean => {
  if (chromiumPath()) return true;
  if (process.env.CI === 'true') throw new Error(MISSING_CHROMIUM);
  console.warn(`skipping the browser tests: ${MISSING_CHROMIUM}`);
  return false;
};

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath()!,
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
