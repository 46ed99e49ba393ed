import type { ReactNode } from 'react';
import { currentPath, requireViewer } from '@/lib/auth';
import { Sidebar } from '../_components/sidebar';
import { TopBar } from '../_components/top-bar';

/** The signed-in Sunstone-like shell: sidebar, top bar with breadcrumbs, main area. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const viewer = await requireViewer(await currentPath());
  return (
    <div className="flex h-dvh overflow-hidden">
      {/* The first stop of the keyboard: straight to the page, past the navigation. */}
      <a
        href="#main"
        data-testid="skip-link"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-brand-700 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <Sidebar isAdmin={viewer.isAdmin} className="hidden md:flex" />
      <div className="flex min-w-0 flex-1 flex-col">
        <TopBar username={viewer.username} isAdmin={viewer.isAdmin} />
        <main id="main" tabIndex={-1} className="flex-1 overflow-y-auto p-4 outline-none md:p-6">
          {children}
        </main>
      </div>
    </div>
  );
}
