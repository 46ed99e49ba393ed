// The datastore monitor: every MONITORING_INTERVAL_DATASTORE seconds (oned's default is 300; the
// sandbox uses a shorter one) until it is told to stop.
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { refreshAllDatastores } from './monitor-datastores';

export const MONITOR_ARG = '__monitor';

export async function monitorLoop(paths: FrontendPaths): Promise<number> {
  let stop = false;
  let wake: () => void = () => {};
  process.on('SIGTERM', () => {
    stop = true;
    wake();
  });
  while (!stop) {
    try {
      await refreshAllDatastores(paths);
    } catch (err) {
      process.stderr.write(`monitor: ${(err as Error).message}\n`);
    }
    const interval = readConfig(paths).monitorIntervalS * 1000;
    await new Promise<void>((res) => {
      const timer = setTimeout(res, interval);
      wake = () => {
        clearTimeout(timer);
        res();
      };
    });
  }
  return 0;
}
