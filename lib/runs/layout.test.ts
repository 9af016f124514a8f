// The run folder: its file names (the trainer's and the server's) and the helpers that find or set aside files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  attemptEventsFile,
  configFile,
  eventsFile,
  hasCheckpoint,
  runDir,
  runsRoot,
  setAsideEvents,
  stderrLog,
} from './layout';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-layout-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('run folder layout', () => {
  it('spells the documented names', () => {
    expect(runsRoot('/home/x')).toBe('/home/x/runs');
    expect(runDir('/home/x', 'r-1')).toBe('/home/x/runs/r-1');
    expect(eventsFile('/d')).toBe('/d/events.ndjson');
    expect(configFile('/d')).toBe('/d/config.json');
    expect(stderrLog('/d')).toBe('/d/stderr.log');
    expect(attemptEventsFile('/d', 2)).toBe('/d/events.attempt-2.ndjson');
  });

  it('finds a checkpoint by its manifest, also one kept aside by an interrupted save', () => {
    expect(hasCheckpoint(path.join(dir, 'missing'))).toBe(false);
    expect(hasCheckpoint(dir)).toBe(false);
    fs.mkdirSync(path.join(dir, 'checkpoint'));
    expect(hasCheckpoint(dir)).toBe(false); // a folder without its manifest is a save in progress
    fs.mkdirSync(path.join(dir, 'checkpoint.old-123'));
    fs.writeFileSync(path.join(dir, 'checkpoint.old-123', 'manifest.json'), '{}');
    expect(hasCheckpoint(dir)).toBe(true);
    fs.rmSync(path.join(dir, 'checkpoint.old-123'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'checkpoint', 'manifest.json'), '{}');
    expect(hasCheckpoint(dir)).toBe(true);
  });

  it('sets an earlier attempt’s events aside under the next free number', () => {
    expect(setAsideEvents(dir)).toBeNull();
    fs.writeFileSync(eventsFile(dir), 'first\n');
    expect(setAsideEvents(dir)).toBe('events.attempt-1.ndjson');
    fs.writeFileSync(eventsFile(dir), 'second\n');
    expect(setAsideEvents(dir)).toBe('events.attempt-2.ndjson');
    expect(fs.existsSync(eventsFile(dir))).toBe(false);
    expect(fs.readFileSync(attemptEventsFile(dir, 1), 'utf8')).toBe('first\n');
    expect(fs.readFileSync(attemptEventsFile(dir, 2), 'utf8')).toBe('second\n');
  });
});
