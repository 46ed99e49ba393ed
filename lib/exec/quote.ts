// The one POSIX shell quoter. Over SSH a command is always a string that the remote login shell
// parses, so every argv element is single-quoted: inside single quotes nothing is special except
// the quote itself, which is written as '\''.

/** Quotes one argument for a POSIX shell. NUL cannot be passed through a shell and is refused. */
export function quoteArg(arg: string): string {
  if (arg.includes('\0')) throw new TypeError('an argument cannot contain a NUL character');
  if (arg !== '' && /^[A-Za-z0-9_\-+=/.,:@%]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Joins argv into one shell command line in which each element stays exactly one word. */
export function joinArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('an empty command');
  return argv.map(quoteArg).join(' ');
}
