import { Breadcrumbs } from './breadcrumbs';
import { ThemeToggle } from './theme-toggle';

export function TopBar() {
  return (
    <header
      data-testid="top-bar"
      className="flex h-14 shrink-0 items-center justify-between border-b border-slate-200 bg-white px-6 dark:border-slate-800 dark:bg-slate-900"
    >
      <Breadcrumbs />
      <div className="flex items-center gap-3">
        <ThemeToggle />
      </div>
    </header>
  );
}
