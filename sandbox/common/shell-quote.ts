// The one POSIX single-quote quoter of the sandbox. Scripts the sandbox sends to `bash -s` (as the
// OpenNebula driver does) quote every interpolated value with it, so no value is ever code.

/** 'value' with every ' written as '\'' ; safe for any byte string except NUL. */
export function shq(value: string): string {
  if (value.includes('\0')) throw new Error('a shell value cannot contain NUL');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
