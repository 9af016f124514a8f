/** What a 404 page says was not found, read from the path that was asked for. */
export function missingThing(pathname: string): string {
  const [, first, id] = pathname.split('/');
  if (first === 'sweeps' && id && id !== 'new') return `sweep ${decodeURIComponent(id)}`;
  if (first === 'runs' && id) return `run ${decodeURIComponent(id)}`;
  return `page at ${pathname}`;
}
