'use client';

import { usePathname } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { Sidebar } from './sidebar';

/**
 * Below the md breakpoint the sidebar would squeeze the page to a sliver (at 390 px, 240 px of
 * it), so it hides behind a menu button and opens as a drawer over the page. The drawer closes on
 * navigation, on Escape and on a click outside it, and gives focus back to the button.
 */
export function MobileNav({ isAdmin }: { isAdmin: boolean }) {
  const [openAt, setOpenAt] = useState<string | undefined>(undefined);
  const pathname = usePathname();
  const button = useRef<HTMLButtonElement>(null);
  // Open only on the page where it was opened: following a link closes it without an effect.
  const open = openAt === pathname;
  const close = () => {
    setOpenAt(undefined);
    button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpenAt(undefined);
        button.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <>
      <button
        ref={button}
        type="button"
        className="grid h-8 w-8 shrink-0 place-items-center rounded-md border border-slate-300 md:hidden dark:border-slate-700"
        aria-label="Menu"
        aria-expanded={open}
        aria-controls="mobile-nav"
        data-testid="menu-button"
        onClick={() => (open ? close() : setOpenAt(pathname))}
      >
        <span aria-hidden>☰</span>
      </button>
      {open && (
        <div id="mobile-nav" className="fixed inset-0 z-40 flex md:hidden">
          <Sidebar isAdmin={isAdmin} className="flex h-full shadow-xl" testId="sidebar-drawer" />
          <button type="button" aria-label="Close the menu" className="flex-1 bg-black/40" onClick={close} />
        </div>
      )}
    </>
  );
}
