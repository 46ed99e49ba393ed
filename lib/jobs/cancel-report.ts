import 'server-only';

// How a canceled job words what it undid: each thing it removed, and each thing left with why and
// the exact command that removes it. Stored as the job's message and result, shown as they are.

export type Leftover = { what: string; reason: string; command: string };

export type CancelReport = { removed: string[]; left: Leftover[] };

/** "VM template 5, images 12, 13" */
export function describeObjects(templateIds: readonly number[], imageIds: readonly number[]): string[] {
  const out: string[] = [];
  const sorted = (ids: readonly number[]) => [...ids].sort((a, b) => a - b);
  templateIds = sorted(templateIds);
  imageIds = sorted(imageIds);
  if (templateIds.length > 0) out.push(`VM template${templateIds.length > 1 ? 's' : ''} ${templateIds.join(', ')}`);
  if (imageIds.length > 0) out.push(`image${imageIds.length > 1 ? 's' : ''} ${imageIds.join(', ')}`);
  return out;
}

/** "Left in OpenNebula: image 13 (still being copied). Remove it with: oneimage delete 13" */
export function leftText(where: string, left: readonly Leftover[]): string {
  if (left.length === 0) return '';
  const commands = [...new Set(left.map((l) => l.command))];
  return `Left ${where}: ${left.map((l) => `${l.what} (${l.reason})`).join('; ')}. Remove ${left.length > 1 ? 'them' : 'it'} with: ${commands.join(' ; ')}`;
}
