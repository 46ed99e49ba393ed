import type { ReactNode } from 'react';
import { Sidebar } from '../_components/sidebar';
import { TopBar } from '../_components/top-bar';

/** The signed-in Sunstone-like shell: sidebar, top bar with breadcrumbs, main area. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex h-dvh overflow-hidden">
      <Sidebar />
      <div className="flex min-w-0 flex-1 flex-col">
        <TopBar />
        <main className="flex-1 overflow-y-auto p-6">{children}</main>
      </div>
    </div>
  );
}
