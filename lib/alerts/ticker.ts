import 'server-only';
import { processWide } from '@/lib/config/process-wide';
import { logger } from '@/lib/log';
import { collectConditions } from './collect';
import { runAlertTick } from './engine';
import { readRules } from './store';

// The alert ticker: every ALERT_TICK_MS, if the gate allows (the HA leader, wired by whoever owns
// leadership; by default always), one evaluation. Unref'd so it never keeps a process alive;
// stopped at shutdown. A tick still running when the next is due is not doubled.

const log = logger('alerts');

export const ALERT_TICK_MS = 60_000;

type TickerState = {
  timer?: NodeJS.Timeout;
  running: boolean;
  gate: () => Promise<boolean>;
};

const state = processWide<TickerState>('alerts.ticker', () => ({ running: false, gate: async () => true }));

/** Who may evaluate alerts now: only one Backstone per cloud should (the Raft leader). */
export function setAlertGate(fn: () => Promise<boolean>): void {
  state.gate = fn;
}

/** One tick, as the timer runs it: gated, never two at once, failures logged. */
export async function alertTick(): Promise<void> {
  if (state.running) return;
  state.running = true;
  try {
    if (!(await state.gate())) return;
    const facts = await collectConditions(readRules());
    await runAlertTick(facts);
  } catch (err) {
    log.warn('alert tick failed', { error: err instanceof Error ? err.message : String(err) });
  } finally {
    state.running = false;
  }
}

export function startAlertTicker(everyMs: number = ALERT_TICK_MS): void {
  if (state.timer) return;
  state.timer = setInterval(() => void alertTick(), everyMs);
  state.timer.unref();
}

export function stopAlertTicker(): void {
  if (state.timer) clearInterval(state.timer);
  state.timer = undefined;
}
