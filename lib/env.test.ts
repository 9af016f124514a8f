import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSafeBinding, ConfigError, readEnv } from './env';
import { ensureDataHome } from './data-home';

describe('readEnv', () => {
  it('uses the documented defaults', () => {
    const env = readEnv({});
    expect(env).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', LAYERLAB_HOME: '.layerlab' });
    expect(env.dataHome).toBe(path.resolve('.layerlab'));
  });

  it('names the variable that is wrong', () => {
    expect(() => readEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => readEnv({ LAYERLAB_ADMIN_TOKEN: 'short' })).toThrow(/at least 16/);
  });

  it('refuses a non-loopback address without an admin token, and says how to set one', () => {
    expect(() => assertSafeBinding(readEnv({ HOST: '0.0.0.0' }))).toThrow(/LAYERLAB_ADMIN_TOKEN/);
    expect(() => assertSafeBinding(readEnv({ HOST: '0.0.0.0', LAYERLAB_ADMIN_TOKEN: 'x'.repeat(24) }))).not.toThrow();
    expect(() => assertSafeBinding(readEnv({ HOST: '127.0.0.1' }))).not.toThrow();
    expect(() => assertSafeBinding(readEnv({ HOST: 'localhost' }))).not.toThrow();
  });
});

describe('ensureDataHome', () => {
  it('creates a missing data home with its runs folder', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-home-'));
    const home = path.join(base, 'nested', 'home');
    ensureDataHome(home);
    expect(fs.statSync(path.join(home, 'runs')).isDirectory()).toBe(true);
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('names the path when the data home cannot be created', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-home-'));
    const blocker = path.join(base, 'a-file');
    fs.writeFileSync(blocker, 'not a folder');
    const home = path.join(blocker, 'home');
    expect(() => ensureDataHome(home)).toThrow(ConfigError);
    expect(() => ensureDataHome(home)).toThrow(home);
    fs.rmSync(base, { recursive: true, force: true });
  });
});
