'use client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { refetchWhenRunsEnd } from './components/live';

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 1000, refetchOnWindowFocus: false } } }),
  );
  useEffect(() => refetchWhenRunsEnd(client), [client]);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
