'use client';

import { useEffect, useSyncExternalStore } from 'react';
import { THEME_STORAGE_KEY, type ThemeChoice } from './theme-script';

const CHOICES: { value: ThemeChoice; label: string; icon: string }[] = [
  { value: 'system', label: 'System', icon: '◐' },
  { value: 'light', label: 'Light', icon: '☀' },
  { value: 'dark', label: 'Dark', icon: '☾' },
];
const CHANGE_EVENT = 'backstone-theme-change';

function apply(choice: ThemeChoice) {
  const dark = choice === 'dark' || (choice === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
  document.documentElement.dataset.theme = choice;
}

function savedChoice(): ThemeChoice {
  const v = window.localStorage.getItem(THEME_STORAGE_KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

function subscribe(onChange: () => void) {
  window.addEventListener('storage', onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener('storage', onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

/** Cycles system -> light -> dark; the choice persists in localStorage. */
export function ThemeToggle() {
  // The server cannot know the saved choice; it renders "System" and the client corrects it.
  const choice = useSyncExternalStore(subscribe, savedChoice, () => 'system' as const);

  useEffect(() => {
    // While following the system, follow its changes too.
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => savedChoice() === 'system' && apply('system');
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);

  const current = CHOICES.find((c) => c.value === choice) ?? CHOICES[0]!;
  const next = CHOICES[(CHOICES.indexOf(current) + 1) % CHOICES.length]!;

  return (
    <button
      type="button"
      data-testid="theme-toggle"
      aria-label={`Theme: ${current.label}. Switch to ${next.label}.`}
      title={`Theme: ${current.label}`}
      className="inline-flex h-8 items-center gap-1.5 rounded-md border border-slate-300 px-2 text-sm sm:px-2.5 text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
      onClick={() => {
        window.localStorage.setItem(THEME_STORAGE_KEY, next.value);
        apply(next.value);
        window.dispatchEvent(new Event(CHANGE_EVENT));
      }}
    >
      <span aria-hidden>{current.icon}</span>
      <span className="hidden sm:inline">{current.label}</span>
    </button>
  );
}
