// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native addons and the SSH stack stay out of the server bundle.
  serverExternalPackages: ['node-ssh', 'ssh2', 'cpu-features', 'better-sqlite3'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // forbidden() renders app/forbidden.tsx with a 403 for pages a signed-in person may not see.
  experimental: { authInterrupts: true },
};

export default nextConfig;
