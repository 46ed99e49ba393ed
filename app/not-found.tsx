import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="grid min-h-dvh place-items-center p-6">
      <div className="text-center">
        <p className="text-sm font-semibold text-brand-600">404</p>
        <h1 className="mt-1 text-2xl font-semibold">Not found</h1>
        <p className="mt-2 text-slate-600 dark:text-slate-400">There is nothing at this address.</p>
        <Link href="/" className="mt-4 inline-block text-brand-600 hover:underline">
          Back to the dashboard
        </Link>
      </div>
    </main>
  );
}
