'use client';

import { useState } from 'react';
import { prefillFromTemplate, type Prefill } from '@/lib/schemas/datastore-template';
import { isExpectedError } from '@/lib/schemas/expected-error';
import { BUTTON, INPUT } from './styles';

/** Prefills the wizard from an existing datastore template (for example one made for the CLI). */
export function PasteTemplate({ onPrefill }: { onPrefill: (p: Prefill) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [message, setMessage] = useState<{ error: boolean; lines: string[] }>();
  const apply = () => {
    try {
      const p = prefillFromTemplate(text);
      onPrefill(p);
      setMessage({ error: false, lines: ['The wizard was filled in from the template.', ...p.notes] });
      setText('');
    } catch (err) {
      // Text OpenNebula could not read; anything else is Backstone's bug.
      if (!isExpectedError(err, 'invalid-input')) throw err;
      setMessage({ error: true, lines: [`OpenNebula could not read this template: ${err.message}`] });
    }
  };
  return (
    <div className="rounded-md border border-dashed border-slate-300 p-3 dark:border-slate-700">
      <button type="button" className={BUTTON} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? 'Close' : 'Start from an existing template'}
      </button>
      {open && (
        <div className="mt-2 space-y-2">
          <label htmlFor="paste-template" className="block text-sm font-medium">
            Template text
          </label>
          <textarea
            id="paste-template"
            rows={8}
            value={text}
            onChange={(e) => setText(e.target.value)}
            className={`${INPUT} font-mono`}
            spellCheck={false}
            placeholder={'NAME = "RBackups"\nRESTIC_SFTP_SERVER = "192.168.1.8"\n...'}
          />
          <button type="button" className={BUTTON} onClick={apply} disabled={!text.trim()}>
            Fill in the wizard
          </button>
        </div>
      )}
      {message && (
        <ul
          role={message.error ? 'alert' : 'status'}
          className={`mt-2 list-inside list-disc text-sm ${message.error ? 'text-red-600 dark:text-red-400' : 'text-slate-700 dark:text-slate-300'}`}
          data-testid="prefill-message"
        >
          {message.lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
