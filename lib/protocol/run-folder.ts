/**
 * The names in a run folder (the trainer's `--out DIR`) that the trainer writes and the server reads. The
 * server's own names and the path helpers are in lib/runs/layout.ts, which re-exports these.
 */

/** Run folders live here under the data home (`$LAYERLAB_HOME/runs/<run>`). */
export const RUNS_DIR = 'runs';
/** The run's durable log: one protocol event per line, appended by the trainer. */
export const EVENTS_FILE = 'events.ndjson';
/** The latest checkpoint, a folder written atomically beside the events file. */
export const CHECKPOINT_DIR = 'checkpoint';
/** Inside a checkpoint folder; a checkpoint without one is incomplete. */
export const CHECKPOINT_MANIFEST = 'manifest.json';
/** Older checkpoints kept beside it (`keep_checkpoints` > 1): `checkpoint-<step>`. */
export const KEPT_CHECKPOINT_PREFIX = `${CHECKPOINT_DIR}-`;
/** The previous checkpoint while its replacement is renamed into place: `checkpoint.old-<pid>`. */
export const OLD_CHECKPOINT_PREFIX = `${CHECKPOINT_DIR}.old-`;
