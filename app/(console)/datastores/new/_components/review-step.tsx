'use client';

import { useState } from 'react';
import { BUTTON } from './styles';

/** `hidden`: secrets always masked here (the S3 secret key); copy and download still give them. */
type Props = { name: string; text: string; password: string; hidden?: readonly string[] };

/** Step 6: the exact template text `onedatastore create` will receive, built here in the browser. */
export function ReviewStep({ name, text, password, hidden = [] }: Props) {
  const [reveal, setReveal] = useState(false);
  const [copied, setCopied] = useState<string>();
  // Shown masked by default; copy and download give the exact text.
  const masked = hidden.filter(Boolean).reduce((t, h) => t.split(escapeForTemplate(h)).join('••••••••'), text);
  const shown = reveal || !password ? masked : masked.split(escapeForTemplate(password)).join('••••••••');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied.');
    } catch {
      setCopied('The browser did not allow copying; use Download instead.');
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${name.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'datastore'}.tpl`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={BUTTON} onClick={copy}>
          Copy
        </button>
        <button type="button" className={BUTTON} onClick={download}>
          Download
        </button>
        <button type="button" className={BUTTON} aria-pressed={reveal} onClick={() => setReveal((r) => !r)}>
          {reveal ? 'Hide password' : 'Show password'}
        </button>
        <span role="status" className="text-xs text-slate-500">
          {copied}
        </span>
      </div>
      <pre
        className="overflow-x-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs dark:border-slate-800 dark:bg-slate-950"
        data-testid="template-text"
        aria-label="Template text"
      >
        {shown}
      </pre>
    </div>
  );
}

/** How the password appears inside the quoted value (template-syntax escapes only `"`). */
function escapeForTemplate(p: string): string {
  return p.replaceAll('"', '\\"');
}
