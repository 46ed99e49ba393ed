// Command-line options as OpenNebula's Ruby CLI (optparse) takes them: options anywhere among the
// arguments, `--opt value` or `--opt=value`, short forms, flags.
import { OneError } from '../errors';

export type OptionSpec = { name: string; short?: string; value?: boolean };
export type Parsed = { positionals: string[]; options: Record<string, string | true> };

export const XML: OptionSpec = { name: 'xml', short: 'x' };
export const JSON_OPT: OptionSpec = { name: 'json', short: 'j' };

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): Parsed {
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const [flag, inline] = a.startsWith('--')
      ? [a.slice(2).split('=')[0]!, a.includes('=') ? a.slice(a.indexOf('=') + 1) : undefined]
      : [a.slice(1), undefined];
    const spec = specs.find((s) => (a.startsWith('--') ? s.name === flag : s.short === flag));
    if (!spec) throw new OneError(`invalid option: ${a}`);
    if (!spec.value) {
      options[spec.name] = true;
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new OneError(`missing argument: ${a}`);
    options[spec.name] = v;
  }
  return { positionals, options };
}

/** A numeric resource id argument, as the CLI's `to_id` accepts it. */
export function idArg(v: string | undefined, what: string): number {
  if (v === undefined) throw new OneError(`missing ${what}`);
  if (!/^\d+$/.test(v)) throw new OneError(`${what} ${v} is not a numeric ID`);
  return Number(v);
}
