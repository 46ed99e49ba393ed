// The alert rules against real parts: the front-end simulator and a real backup server, read by
// lib/health as the home page does, as Backstone's service identity. A datastore over the
// fullness threshold (1%: the sandbox's disk is never that empty) raises one alert on a loopback
// webhook; raising the threshold to 100% resolves it, with one "resolved" message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backedUpDatastore,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { DEFAULT_ALERT_RULES } from '@/lib/schemas/alerts';
import { closeDb } from '@/lib/store';
import { collectConditions } from './collect';
import { runAlertTick } from './engine';
import { readRules, saveRules, saveWebhookChannel } from './store';
import { startWebhookReceiver, type ReceivedAlert, type WebhookReceiver } from './test-support/webhook-receiver';

const SECRET = 'collect-int-secret-0123';
let world: BackstoneWorld | undefined;
let receiver: WebhookReceiver | undefined;
let dsId = -1;
let got: ReceivedAlert[] = [];

beforeAll(async () => {
  world = await startBackstoneWorld('alerts');
  dsId = (await backedUpDatastore(world, { name: 'Alerted', password: 'alerts-pw', vmNames: [] })).dsId;
  receiver = await startWebhookReceiver(SECRET);
  got = receiver.got;
  saveWebhookChannel({ enabled: true, url: receiver.url, secret: SECRET }, 'test');
}, 300_000);

afterAll(async () => {
  await receiver?.close();
  closeDb();
  await stopBackstoneWorld(world);
});

/** One tick as the ticker runs it, with a bound long enough for a first read of the datastore. */
const tick = async () => {
  await runAlertTick(await collectConditions(readRules(), { answerWithinMs: 20_000 }), { delays: [10, 40, 160] });
  return got.filter((g) => g.condition === `datastore-full:${dsId}`).map((g) => g.state);
};

describe('alerts over what the home page knows', () => {
  it('raises one alert for a datastore over the threshold, and one resolved message when it clears', async () => {
    saveRules({ ...DEFAULT_ALERT_RULES, fullPercent: 1 }, 'test');
    await expect.poll(tick, { timeout: 120_000, interval: 200 }).toEqual(['open']);
    // Later ticks while it holds: nothing more.
    expect(await tick()).toEqual(['open']);
    saveRules({ ...DEFAULT_ALERT_RULES, fullPercent: 100, fullWithinDays: 1 }, 'test');
    await expect.poll(tick, { timeout: 120_000, interval: 200 }).toEqual(['open', 'resolved']);
    expect(await tick()).toEqual(['open', 'resolved']);
    expect(got.every((g) => g.signed)).toBe(true);
  });
});
