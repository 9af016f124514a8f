'use client';
import { Link } from '@/app/components/link';
import { usePathname } from 'next/navigation';
import { missingThing } from '@/lib/views/not-found';

export function NotFound() {
  const thing = missingThing(usePathname() ?? '/');
  return (
    <section className="panel empty view-empty" data-testid="not-found">
      <h1>No {thing}</h1>
      <p>Nothing here by that name: it may have been deleted, or the link is incomplete.</p>
      <p>
        <Link href="/">Sweeps &amp; runs</Link> lists everything this server has.
      </p>
    </section>
  );
}
