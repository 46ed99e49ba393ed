// @ts-check
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The largest request body Backstone takes (Next's own default for server actions): no form sends
 * more. server.js refuses a larger Content-Length with 413 before Next would answer it with a 500.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/**
 * On every response. The Content-Security-Policy is not here: it carries a fresh nonce per request
 * (proxy.ts), and a second, static policy would be enforced as well and block Next's scripts.
 */
export const SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // Backstone's addresses name datastores, VMs and snapshots: other sites need not learn them.
  { key: 'Referrer-Policy', value: 'same-origin' },
  {
    key: 'Permissions-Policy',
    value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), browsing-topics=()',
  },
  // For browsers that predate CSP's frame-ancestors.
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // `npm run package` ships .next/standalone (the server files and only the node_modules they use)
  // with Backstone's own server.js, so a front-end needs nothing built or installed but Node.
  output: 'standalone',
  // Traced from this folder, not from a parent that happens to hold another lockfile.
  outputFileTracingRoot: dirname(fileURLToPath(import.meta.url)),
  // Native addons and the SSH stack stay out of the server bundle.
  serverExternalPackages: ['node-ssh', 'ssh2', 'cpu-features', 'better-sqlite3', 'nodemailer'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // `npm test` type-checks the whole tree with `tsc --noEmit` beside the build: the build need not
  // type-check the same files again on the same two cores. Every other build (package, demo,
  // bench) still does.
  typescript: { ignoreBuildErrors: process.env.BACKSTONE_BUILD_TYPECHECKED === '1' },
  experimental: {
    // forbidden() renders app/forbidden.tsx with a 403 for pages a signed-in person may not see.
    authInterrupts: true,
    serverActions: { bodySizeLimit: MAX_REQUEST_BODY_BYTES },
  },
  async headers() {
    return [{ source: '/:path*', headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;
