import type { Metadata } from 'next';
import { Link } from '@/app/components/link';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import { ViewerProvider } from './viewer';
import { viewerRoleFromCookies } from '@/lib/server/viewer';
import './globals.css';

export const metadata: Metadata = {
  title: 'LayerLab',
  description: 'Experiment tracker and ablation dashboard for layer-wise fine-tuning (LISA, LoRA, full)',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const role = await viewerRoleFromCookies();
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            LayerLab
          </Link>
          <nav aria-label="Main">
            {role === 'admin' ? (
              <>
                <Link href="/">Sweeps &amp; runs</Link>
                <Link href="/runs">Runs table</Link>
                <Link href="/sweeps/new">New sweep</Link>
                <Link href="/memory">Memory &amp; speed</Link>
                <a href="/api/health">Health</a>
              </>
            ) : (
              <form method="post" action="/api/logout" className="leave-share">
                <span>Shared view (read-only)</span>{' '}
                <button type="submit" className="link-button">
                  leave
                </button>
              </form>
            )}
          </nav>
        </header>
        <main>
          <Providers>
            <ViewerProvider role={role}>{children}</ViewerProvider>
          </Providers>
        </main>
      </body>
    </html>
  );
}
