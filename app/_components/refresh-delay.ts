// When RefreshWhile asks the server for the page again: a pure rule, so it is tested without a
// browser.

/** Refreshes 2 s apart for the first minute of activity, 15 s apart after, so a server that stays down is not hammered. */
const FAST_TRIES = 30;
const FAST_MS = 2_000;
const SLOW_MS = 15_000;

/**
 * Refreshes after activity ends, for pages whose reads can disagree for a moment. The reads behind
 * one page come from OpenNebula's read cache (3 s by default), each as old as when it was read: a
 * job read 3 s before its VMs can show a finished VM and a job that does not yet list it as
 * failed. Three refreshes 2 s apart outlast that cache, so the page ends on reads taken after the
 * change.
 */
export const SETTLE_REFRESHES = 3;

export type RefreshState = { tries: number; settleLeft: number };

/** Milliseconds until the next refresh, or undefined when the page is left as it is. */
export function refreshDelay(active: boolean, state: RefreshState): number | undefined {
  if (active) return state.tries < FAST_TRIES ? FAST_MS : SLOW_MS;
  return state.settleLeft > 0 ? FAST_MS : undefined;
}

/**
 * The state once a render has seen `active`: a settling page keeps SETTLE_REFRESHES in hand from
 * the moment it sees activity, not from its first refresh (a run canceled within 2 s had none).
 */
export function armSettle(active: boolean, state: RefreshState, settle: boolean): RefreshState {
  return active && settle && state.settleLeft !== SETTLE_REFRESHES ? { ...state, settleLeft: SETTLE_REFRESHES } : state;
}

/** The state after one refresh. `settle` pages keep SETTLE_REFRESHES in hand while active. */
export function afterRefresh(active: boolean, state: RefreshState, settle: boolean): RefreshState {
  return {
    tries: state.tries + 1,
    settleLeft: active ? (settle ? SETTLE_REFRESHES : 0) : Math.max(0, state.settleLeft - 1),
  };
}
