// Where a person sees an OpenNebula object Backstone has no page for (the images and the VM
// template a restore made). With a Sunstone URL configured: FireEdge Sunstone's own detail routes,
// `<sunstone>/image/<id>` and `<sunstone>/vm-template/<id>` (its router's STORAGE.IMAGES.DETAIL and
// TEMPLATE.VMS.DETAIL). Without one: the CLI command that shows it, to copy. Pure: the job page
// (a client component) builds its links with it.

export type OneObjectKind = 'image' | 'vm-template';

export type OneObjectLink = { kind: 'sunstone'; href: string } | { kind: 'command'; command: string };

const SUNSTONE_ROUTE: Record<OneObjectKind, string> = { image: 'image', 'vm-template': 'vm-template' };
const SHOW_COMMAND: Record<OneObjectKind, string> = { image: 'oneimage show', 'vm-template': 'onetemplate show' };

export function oneObjectLink(sunstoneUrl: string | undefined, kind: OneObjectKind, id: number): OneObjectLink {
  if (!Number.isInteger(id) || id < 0) throw new Error(`not an OpenNebula ID: ${id}`);
  if (sunstoneUrl)
    return { kind: 'sunstone', href: `${sunstoneUrl.replace(/\/+$/, '')}/${SUNSTONE_ROUTE[kind]}/${id}` };
  return { kind: 'command', command: `${SHOW_COMMAND[kind]} ${id}` };
}
