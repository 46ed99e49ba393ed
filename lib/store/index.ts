import 'server-only';

export * from './db';
export * from './snapshot-cache';
