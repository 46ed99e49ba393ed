import { signOutAction } from '../login/actions';
import { Breadcrumbs } from './breadcrumbs';
import { MobileNav } from './mobile-nav';
import { RunningJobs } from './running-jobs';
import { ThemeToggle } from './theme-toggle';

export function TopBar({ username, isAdmin }: { username: string; isAdmin: boolean }) {
  return (
    <header
      data-testid="top-bar"
      className="flex h-14 shrink-0 items-center justify-between gap-3 border-b border-slate-200 bg-white px-3 md:px-6 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex min-w-0 flex-1 items-center gap-2">
        <MobileNav isAdmin={isAdmin} />
        <Breadcrumbs />
      </div>
      <div className="flex shrink-0 items-center gap-2 md:gap-3">
        <RunningJobs />
        <ThemeToggle />
        <span className="flex items-center gap-2 text-sm" data-testid="signed-in-user">
          <span
            aria-hidden
            title={username}
            className="grid h-7 w-7 place-items-center rounded-full bg-slate-200 text-xs font-semibold uppercase dark:bg-slate-700"
          >
            {username.slice(0, 1)}
          </span>
          <span className="hidden max-w-40 truncate font-medium sm:inline">{username}</span>
          {isAdmin && (
            <span className="hidden rounded bg-brand-100 px-1.5 sm:inline py-0.5 text-xs font-medium text-brand-700 dark:bg-brand-700/30 dark:text-brand-100">
              admin
            </span>
          )}
        </span>
        <form action={signOutAction}>
          <button
            type="submit"
            className="h-8 rounded-md border border-slate-300 px-2.5 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
