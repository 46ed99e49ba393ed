// How every Playwright run here starts Chromium: Debian's own binary (never a downloaded one) with
// no sandbox (tests run as root in CI), no GPU, and nothing that reaches the network on its own.
// Used by playwright.config.ts and the benchmark's browser figures, so both measure the same browser.
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};
