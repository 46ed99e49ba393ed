// The sidebar's entries. Only pages that exist are listed here; each later page adds itself.
export type NavItem = { href: string; label: string; icon: string; adminOnly?: boolean };
export type NavSection = { title: string; items: NavItem[] };

export const NAV: NavSection[] = [
  {
    title: 'Overview',
    items: [{ href: '/', label: 'Dashboard', icon: '▦' }],
  },
  {
    title: 'Protection',
    items: [
      { href: '/vms', label: 'VMs', icon: '▣' },
      { href: '/backup-jobs', label: 'Backup Jobs', icon: '◷' },
    ],
  },
  {
    title: 'Storage',
    items: [
      { href: '/datastores', label: 'Datastores', icon: '⛁' },
      { href: '/jobs', label: 'Jobs', icon: '⟳' },
    ],
  },
  {
    title: 'Administration',
    items: [
      { href: '/alerts', label: 'Alerts', icon: '⚑', adminOnly: true },
      { href: '/audit', label: 'Audit log', icon: '☰', adminOnly: true },
      { href: '/system', label: 'System', icon: '⚙', adminOnly: true },
    ],
  },
];

/** Words for path segments in breadcrumbs; unknown segments are shown as they are. */
export const SEGMENT_LABELS: Record<string, string> = {
  datastores: 'Datastores',
  repos: 'Repositories',
  snapshots: 'Snapshots',
  jobs: 'Jobs',
  new: 'New',
  audit: 'Audit log',
  alerts: 'Alerts',
  settings: 'Settings',
  system: 'System',
  vms: 'VMs',
  'backup-jobs': 'Backup Jobs',
};

/**
 * Paths that are only a step of longer ones, with no page of their own: their breadcrumb is text,
 * not a link (a link would lead to a 404, and Next would prefetch it).
 */
export const PATHS_WITHOUT_PAGE: readonly RegExp[] = [
  /^\/datastores\/[^/]+\/(repos|maintenance)$/,
  /^\/datastores\/[^/]+\/repos\/[^/]+\/snapshots$/,
];
