import type { ReactNode } from 'react';
import { currentPath, requireViewer } from '@/lib/auth';
import { Sidebar } from '../_components/sidebar';
import { TopBar } from '../_components/top-bar';

/** The signed-in Sunstone-like shell: sidebar, top bar with breadcrumbs, main area. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const viewer = await requireViewer(await currentPath());
  return (
    <div className="flex h-dvh overflow-hidden">
      <Sidebar isAdmin={viewer.isAdmin} />
      <div className="flex min-w-0 flex-1 flex-col">
        <TopBar username={viewer.username} isAdmin={viewer.isAdmin} />
        <main className="flex-1 overflow-y-auto p-6">{children}</main>
      </div>
    </div>
  );
}
