// The alert rules against real parts: the front-end simulator and a real backup server, read by
// lib/health as the home page does, as Backstone's service identity. A datastore over the
// fullness threshold (1%: the sandbox's disk is never that empty) raises one alert on a loopback
// webhook; raising the threshold to 100% resolves it, with one "resolved" message.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  resticDatastoreTemplate,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import { DEFAULT_ALERT_RULES } from '@/lib/schemas/alerts';
import { closeDb } from '@/lib/store';
import { collectConditions } from './collect';
import { runAlertTick } from './engine';
import { verifySignature } from './signature';
import { readRules, saveRules, saveWebhookChannel } from './store';

const SECRET = 'collect-int-secret-0123';
let world: BackstoneWorld | undefined;
let server: Server | undefined;
let dsId = -1;
const got: { state: string; condition: string; signed: boolean }[] = [];

beforeAll(async () => {
  world = await startBackstoneWorld('alerts');
  const file = join(world.stateDir, 'alerts.tpl');
  writeFileSync(file, resticDatastoreTemplate({ server: world.server }, { name: 'Alerted', password: 'alerts-pw' }), {
    mode: 0o600,
  });
  const cli = cliRunner(world.info);
  dsId = Number((await cli('oneadmin', 'onedatastore', ['create', file])).replace(/\D/g, ''));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = JSON.parse(body) as { state: string; condition: string };
      got.push({
        state: json.state,
        condition: json.condition,
        signed: verifySignature(body, SECRET, req.headers['x-backstone-signature'] as string | undefined),
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  saveWebhookChannel(
    { enabled: true, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook`, secret: SECRET },
    'test',
  );
}, 300_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
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
