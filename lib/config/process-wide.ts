// Next bundles each route separately, so a module-level cache exists once per route bundle in the
// same process. What must be shared by the whole process (the SSH pool, restic concurrency limits,
// the secrets to redact, caches) lives on globalThis under one well-known key instead.

export function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(`backstone.${name}`);
  const g = globalThis as unknown as Record<symbol, T | undefined>;
  return (g[key] ??= create());
}
