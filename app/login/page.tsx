import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getViewer } from '@/lib/auth';
import { SafeReturnPath } from '@/lib/schemas/sign-in';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const raw = (await searchParams).next;
  const next = SafeReturnPath.parse(typeof raw === 'string' ? raw : '/');
  if (await getViewer()) redirect(next);
  return (
    <main className="grid min-h-dvh place-items-center bg-nav p-6">
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-xl dark:bg-slate-900">
        <div className="mb-6 flex items-center gap-2">
          <span
            aria-hidden
            className="grid h-9 w-9 place-items-center rounded bg-brand-500 text-lg font-bold text-white"
          >
            B
          </span>
          <div>
            <h1 className="text-xl font-semibold">Backstone</h1>
            <p className="text-xs text-slate-500 dark:text-slate-400">Sign in with your OpenNebula account</p>
          </div>
        </div>
        <SignInForm next={next} />
      </div>
    </main>
  );
}
