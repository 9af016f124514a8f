import type { ReactNode } from 'react';
import { Suspense } from 'react';
import { SweepHeader } from './SweepHeader';

/** Every sweep view: the sweep's name and status, the view tabs, and Share; the view below. */
export default async function SweepLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <Suspense fallback={null}>
        <SweepHeader id={id} />
      </Suspense>
      {children}
    </>
  );
}
