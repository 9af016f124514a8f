'use client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { loadECharts } from './components/echarts-loader';
import { refetchWhenRunsEnd } from './components/live';

// Every page but two draws charts: start loading ECharts when the app's scripts start, not when a chart mounts.
if (typeof window !== 'undefined') void loadECharts();

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 1000, refetchOnWindowFocus: false } } }),
  );
  useEffect(() => refetchWhenRunsEnd(client), [client]);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
