// Stands in for the 'server-only' guard under vitest, where modules run outside React Server Components.
export {};
