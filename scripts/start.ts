/**
 * `npm start`: build the app when no build exists or sources changed since the last one, then serve it.
 * Configuration comes from the environment (see README): HOST, PORT, LAYERLAB_HOME, LAYERLAB_ADMIN_TOKEN.
 */
import { spawn, spawnSync } from 'node:child_process';
import { assertSafeBinding, ConfigError, readEnv } from '../lib/env';
import { ensureDataHome } from '../lib/data-home';
import { buildIsStale, nextBin, root } from './build-state';

function main(): void {
  let env: ReturnType<typeof readEnv>;
  try {
    env = readEnv();
    assertSafeBinding(env);
    ensureDataHome(env.dataHome);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`layerlab: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }

  const { stale, why } = buildIsStale();
  if (stale) {
    console.error(`layerlab: building the app (${why}); this takes about a minute…`);
    const build = spawnSync(nextBin, ['build'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (build.status !== 0) {
      console.error('layerlab: the build failed; see the output above.');
      process.exit(build.status ?? 1);
    }
  }

  const server = spawn(nextBin, ['start', '-H', env.HOST, '-p', String(env.PORT)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', LAYERLAB_HOME: env.dataHome },
  });
  const shownHost = env.HOST.includes(':') && !env.HOST.startsWith('[') ? `[${env.HOST}]` : env.HOST;
  let announced = false;
  server.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    if (!announced && /ready|started/i.test(chunk.toString())) {
      announced = true;
      console.log(`\nLayerLab is running at http://${shownHost}:${env.PORT}  (data home: ${env.dataHome})\n`);
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => server.kill(sig));
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main();
