// `npm run sandbox -- start | stop | status | info [--json]` with `--state DIR` (default .sandbox/)
// and `--restic 0.14|0.18` (default 0.18, or what the state folder used last).
import { parseArgs } from 'node:util';
import { startFrontend } from './opennebula/frontend';
import { seedDemoCloud } from './seed/seed-demo-cloud';
import { ensureSandboxS3, type SandboxS3Info } from './s3-server/component';
import { isResticVersion } from './common/restic-binaries';
import { defaultStateDir, sandboxPaths } from './common/state';
import { sandboxInfo, stopSandbox } from './status';
import type { FrontendInfo } from './opennebula/frontend';

const USAGE = `usage: npm run sandbox -- <start|stop|status|info> [--json] [--state DIR] [--restic 0.14|0.18] [--seed]`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      state: { type: 'string' },
      restic: { type: 'string' },
      seed: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const stateDir = values.state ?? defaultStateDir();
  if (values.restic !== undefined && !isResticVersion(values.restic)) {
    console.error(`unknown restic version '${values.restic}' (0.14 or 0.18)`);
    return 2;
  }
  switch (command) {
    case 'start': {
      // The front-end starts its backup server first.
      const frontend = await startFrontend(stateDir, {
        resticVersion: values.restic !== undefined && isResticVersion(values.restic) ? values.restic : undefined,
      });
      // The S3 server (moto) for S3 restic datastores; --seed also seeds one (re-seeded when the
      // server restarted empty).
      await ensureSandboxS3(stateDir);
      const seeded = values.seed ? await seedDemoCloud(stateDir, { s3: true }) : undefined;
      const server = sandboxInfo(stateDir).backupServer;
      if (values.json) console.log(JSON.stringify(sandboxInfo(stateDir), null, 2));
      else {
        if (server)
          console.log(`backup server ${server.name} (127.0.0.1:${server.port}) is up; restic ${server.restic.version}`);
        console.log(`OpenNebula front-end commands: ${frontend.commandDir}`);
        const s3 = (sandboxInfo(stateDir) as { s3Server?: SandboxS3Info }).s3Server;
        if (s3) console.log(`S3 server (moto) ${s3.endpoint} is up; access key ${s3.accessKeyId}`);
        if (seeded) console.log(`demo cloud seeded in ${seeded.seconds} s`);
      }
      return 0;
    }
    case 'stop': {
      const stopped = await stopSandbox(stateDir);
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
      return 0;
    }
    case 'status': {
      const info = sandboxInfo(stateDir);
      if (values.json) console.log(JSON.stringify(info.components, null, 2));
      else
        for (const [name, c] of Object.entries(info.components))
          console.log(`${name}: ${c.running ? `running (PID ${c.pid})` : 'stopped'}`);
      if (!Object.values(info.components).some((c) => c.running))
        console.log(`nothing is running in ${sandboxPaths(stateDir).state}`);
      return 0;
    }
    case 'info': {
      const info = sandboxInfo(stateDir);
      console.log(values.json ? JSON.stringify(info, null, 2) : describe(info));
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

function describe(info: ReturnType<typeof sandboxInfo>): string {
  const s = info.backupServer;
  const lines = [`state folder: ${info.stateDir}`];
  if (s) {
    lines.push(
      `backup server: ${s.name} -> 127.0.0.1:${s.port} as ${s.account} (${info.components.sshd?.running ? 'running' : 'stopped'})`,
      `  ssh: ssh -F ${s.sshConfig} ${s.name}`,
      `  datastores root: ${s.datastoresRoot}`,
      `  restic ${s.restic.version}: ${s.restic.path}`,
    );
  }
  const fe = (info as { frontend?: FrontendInfo }).frontend;
  if (fe) {
    lines.push(
      `front-end (OpenNebula ${fe.version} CLI): ${fe.commandDir} (monitor ${info.components['frontend-monitor']?.running ? 'running' : 'stopped'})`,
    );
    for (const a of fe.accounts) lines.push(`  ${a.role} ${a.name} / ${a.password}: ONE_AUTH=${a.oneAuth}`);
  }
  const s3 = (info as { s3Server?: SandboxS3Info }).s3Server;
  if (s3) {
    lines.push(
      `S3 server (moto): ${s3.endpoint} region ${s3.region} (${info.components['s3-server']?.running ? 'running' : 'stopped'})`,
      `  access key ${s3.accessKeyId} / ${s3.secretAccessKey} (also in ${s3.credentialsFile})`,
    );
  }
  if (info.app) lines.push(`app: ${info.app.url}`);
  return lines.join('\n');
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`sandbox: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
