/**
 * next/link without prefetching. Every page here is rendered per request (nothing is static), so a prefetch
 * buys little, and the prefetches a page fires when it hydrates (one or two rounds per visible link) queued on
 * the server in front of the page's own API reads: on two cores they delayed the first chart by a few hundred
 * milliseconds (docs/benchmarks.md, "Pages"). Every link in the app goes through here.
 */
import NextLink from 'next/link';
import type { ComponentProps } from 'react';

export function Link(props: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={false} {...props} />;
}
