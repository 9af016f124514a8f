'use client';
/**
 * View state in the URL with short keys (`?m=eval/loss&b=std&s=0.6&log=1`): read with defaults, write by
 * replacing the URL (no history entry per click, no scroll jump). Defaults are left out of the URL.
 */
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useRef } from 'react';

export type UrlDefaults = Record<string, string>;

export function useUrlState<D extends UrlDefaults>(
  defaults: D,
): [Record<keyof D, string>, (patch: Partial<Record<keyof D, string>>) => void] {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const state = Object.fromEntries(Object.entries(defaults).map(([k, d]) => [k, search.get(k) ?? d])) as Record<
    keyof D,
    string
  >;
  // Callers pass a fresh literal each render; the setter reads the latest defaults without changing identity.
  const latest = useRef(defaults);
  latest.current = defaults;
  // The query last written and not yet rendered: two changes before the next render (two selects changed in
  // quick succession) must build on each other, not both on the URL of the last render.
  const written = useRef<{ base: string; query: string } | null>(null);
  const set = useCallback(
    (patch: Partial<Record<keyof D, string>>) => {
      const base = search.toString();
      const pending = written.current?.base === base ? written.current.query : null;
      const next = new URLSearchParams(pending ?? base);
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined || v === latest.current[k]) next.delete(k);
        else next.set(k, v as string);
      }
      const q = next.toString();
      written.current = { base, query: q };
      router.replace(q ? `${pathname}?${q}` : pathname, { scroll: false });
    },
    [search, router, pathname],
  );
  return [state, set];
}
