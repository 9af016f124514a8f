'use client';
/**
 * Who is looking: the admin (may launch, cancel, share) or a share-link viewer (read-only). The root layout
 * decides on the server and provides it; components hide mutating controls with `useCanEdit()`.
 */
import { createContext, useContext, type ReactNode } from 'react';

export type ViewerRole = 'admin' | 'share';

const ViewerContext = createContext<ViewerRole>('admin');

export function ViewerProvider({ role, children }: { role: ViewerRole; children: ReactNode }) {
  return <ViewerContext.Provider value={role}>{children}</ViewerContext.Provider>;
}

export function useCanEdit(): boolean {
  return useContext(ViewerContext) === 'admin';
}
