import type { OneCredential } from '@/lib/opennebula';

/** Who is looking: their own OpenNebula identity decides which VMs are theirs. */
export type Reader = { username: string; isAdmin: boolean; credential: OneCredential };
