import Link from 'next/link';

export default function Forbidden() {
  return (
    <main className="grid min-h-[60dvh] place-items-center p-6" data-testid="forbidden">
      <div className="max-w-md text-center">
        <p className="text-sm font-semibold text-amber-600">403</p>
        <h1 className="mt-1 text-2xl font-semibold">Not for your account</h1>
        <p className="mt-2 text-slate-600 dark:text-slate-400">
          This page is for OpenNebula administrators (members of the oneadmin group). Your own VMs&apos; backups are on
          the pages you can reach from the sidebar.
        </p>
        <Link href="/" className="mt-4 inline-block text-brand-600 hover:underline">
          Back to the dashboard
        </Link>
      </div>
    </main>
  );
}
