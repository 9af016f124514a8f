/** Runs once when the Next server starts: open the data home, apply migrations, start the scheduler. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('./lib/server/context');
  const { env, conn, scheduler } = startServer();
  console.log(
    `[layerlab] data home ${env.dataHome} (database ${conn.file}); scheduler ` +
      `${scheduler.running ? 'on' : 'off (another server holds the lock)'}`,
  );
}
