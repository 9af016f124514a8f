/**
 * The ingester's own notes in run_logs (a garbage line, a gap in seq), so they show with the run's log.
 * run_logs is keyed (run_id, seq); trainer logs use their event seq (>= 0), notes use negative keys derived
 * from what they describe, so re-ingesting the same bytes writes the same note once:
 *   garbage line starting at byte offset o  -> -(2o + 1)   (odd)
 *   gap ending just before event seq s      -> -(2s + 2)   (even)
 */
import type { WriteStatements } from './statements';

export type NoteLevel = 'warn' | 'error';

export function garbageNoteSeq(offset: number): number {
  return -(2 * offset + 1);
}

export function gapNoteSeq(seq: number): number {
  return -(2 * seq + 2);
}

export function writeNote(st: WriteStatements, runId: string, key: number, level: NoteLevel, message: string): void {
  st.insertNote.run(runId, key, level, message.slice(0, 10_000), new Date().toISOString());
}
