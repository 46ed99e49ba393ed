// Shared by the boot script (inline, before paint) and the toggle, so both agree on the storage key.
export const THEME_STORAGE_KEY = 'backstone-theme';

export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_BOOT_SCRIPT = `(() => {
  try {
    const choice = localStorage.getItem('${THEME_STORAGE_KEY}') || 'system';
    const dark = choice === 'dark' || (choice === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.classList.toggle('dark', dark);
    document.documentElement.dataset.theme = choice;
  } catch {}
})();`;
