'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { NAV } from './nav';

function isActive(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

type Props = {
  isAdmin: boolean;
  /** Extra classes: the permanent sidebar hides itself below the md breakpoint (see MobileNav). */
  className?: string;
  testId?: string;
};

export function Sidebar({ isAdmin, className = '', testId = 'sidebar' }: Props) {
  const pathname = usePathname();
  const sections = NAV.map((s) => ({ ...s, items: s.items.filter((i) => isAdmin || !i.adminOnly) })).filter(
    (s) => s.items.length > 0,
  );
  return (
    <nav aria-label="Main" data-testid={testId} className={`w-60 shrink-0 flex-col bg-nav text-slate-200 ${className}`}>
      <Link href="/" className="flex h-14 items-center gap-2 border-b border-white/10 px-5">
        <span aria-hidden className="grid h-7 w-7 place-items-center rounded bg-brand-500 font-bold text-white">
          B
        </span>
        <span className="text-lg font-semibold tracking-tight text-white">Backstone</span>
      </Link>
      <div className="flex-1 overflow-y-auto py-3">
        {sections.map((section) => (
          <div key={section.title} className="mb-3">
            <p className="px-5 pb-1 text-xs font-semibold uppercase tracking-wider text-slate-400">{section.title}</p>
            <ul>
              {section.items.map((item) => {
                const active = isActive(pathname, item.href);
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      aria-current={active ? 'page' : undefined}
                      className={`flex items-center gap-3 border-l-4 px-4 py-2 text-sm ${
                        active
                          ? 'border-brand-500 bg-nav-hover text-white'
                          : 'border-transparent hover:bg-nav-hover hover:text-white'
                      }`}
                    >
                      <span aria-hidden className="w-4 text-center">
                        {item.icon}
                      </span>
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      </div>
      <p className="border-t border-white/10 px-5 py-3 text-xs text-slate-400">OpenNebula restic backups</p>
    </nav>
  );
}
