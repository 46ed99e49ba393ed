import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import { THEME_BOOT_SCRIPT } from './_components/theme-script';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Backstone', template: '%s · Backstone' },
  description: 'OpenNebula restic Backup Datastores: create, browse, restore, keep healthy.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Sets the theme class before first paint, so a dark page never flashes light. */}
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
