/** Runs once when the Next server starts: open the data home and apply migrations before any request. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getContext } = await import('./lib/server/context');
  const { env, conn } = getContext();
  console.log(`[layerlab] data home ${env.home} (database ${conn.file})`);
}
