// The Slurm executor's pure parts: spec options → sbatch line and batch script, and Slurm's answers → job states.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  batchScript,
  checkExecutorSpec,
  mergeSlurmOptions,
  parseSlurmTime,
  sbatchArgs,
  sbatchLine,
  signalLead,
  slurmDefaultsFromEnv,
} from './slurm-options';
import { parseScontrolJob, parseSqueue, slurmJobEnd, stateAlive, stateWaiting } from './slurm-status';

describe('Slurm options', () => {
  it('reads every Slurm time format', () => {
    expect(parseSlurmTime('1')).toBe(60);
    expect(parseSlurmTime('00:01:00')).toBe(60);
    expect(parseSlurmTime('5:30')).toBe(330);
    expect(parseSlurmTime('2-00')).toBe(172_800);
    expect(parseSlurmTime('1-02:03')).toBe(93_780);
    expect(parseSlurmTime('1-02:03:04')).toBe(93_784);
    expect(parseSlurmTime('UNLIMITED')).toBe(Number.POSITIVE_INFINITY);
    expect(parseSlurmTime('1h')).toBeNull();
  });

  it('maps each spec key to its sbatch flag; the signal comes at most half a short limit early', () => {
    const args = sbatchArgs(
      {
        partition: 'gpu',
        account: 'lab',
        qos: 'normal',
        time: '00:01:00',
        gres: 'gpu:1',
        cpus_per_task: 4,
        mem: '16G',
        constraint: 'a100',
        extra: ['--exclusive'],
      },
      { runId: 'r-1', dir: '/data/runs/r-1', script: '/data/runs/r-1/slurm-job.sh', after: 41 },
    );
    expect(args).toEqual([
      '--parsable',
      '--job-name=layerlab-r-1',
      '--chdir=/data/runs/r-1',
      '--output=/data/runs/r-1/stdout.log',
      '--error=/data/runs/r-1/stderr.log',
      '--open-mode=append',
      '--signal=B:USR2@30',
      '--requeue',
      '--partition=gpu',
      '--account=lab',
      '--qos=normal',
      '--time=00:01:00',
      '--gres=gpu:1',
      '--cpus-per-task=4',
      '--mem=16G',
      '--constraint=a100',
      '--dependency=afterok:41',
      '--kill-on-invalid-dep=yes',
      '--exclusive',
      '/data/runs/r-1/slurm-job.sh',
    ]);
    expect(signalLead({})).toBe(120);
    expect(signalLead({ time: '2:00:00', signal_before: 300 })).toBe(300);
    expect(sbatchArgs({ requeue: false }, { runId: 'r', dir: '/d', script: '/d/s' })).toContain('--no-requeue');
    // A command run's program is not told of the time limit (SIGUSR2 is the built-in trainer's).
    const command = sbatchArgs({ time: '10' }, { runId: 'r', dir: '/d', script: '/d/s', warn: false });
    expect(command.filter((a) => a.startsWith('--signal'))).toEqual([]);
    expect(sbatchLine(['--chdir=/a b', "--comment=it's"])).toBe(`sbatch '--chdir=/a b' '--comment=it'\\''s'`);
  });

  it('checks a spec section key by key, and takes defaults from LAYERLAB_SLURM_*', () => {
    expect(checkExecutorSpec({ kind: 'slurm', partition: 'gpu', time: '1-00', cpus_per_task: 2 })).toEqual([]);
    expect(checkExecutorSpec({ kind: 'pbs' })).toEqual([['kind', 'expected local or slurm']]);
    expect(checkExecutorSpec({ partition: 'gpu' })).toEqual([['partition', 'a Slurm option: set kind: slurm']]);
    const bad = checkExecutorSpec({
      kind: 'slurm',
      time: 'soon',
      cpus_per_task: 0,
      partition: 'a b',
      extra: ['--output=x'],
      nodes: 2,
    });
    expect(bad.map(([k]) => k)).toEqual(['time', 'cpus_per_task', 'partition', 'extra', 'nodes']);
    const env = {
      LAYERLAB_SLURM_PARTITION: 'gpu',
      LAYERLAB_SLURM_EXTRA: '--exclusive --nice=5',
      LAYERLAB_SLURM_QOS: '',
    };
    const defaults = slurmDefaultsFromEnv(env);
    expect(defaults).toEqual({ partition: 'gpu', extra: ['--exclusive', '--nice=5'] });
    expect(mergeSlurmOptions(defaults, { partition: 'debug', extra: ['--nice=1'] })).toEqual({
      partition: 'debug',
      extra: ['--exclusive', '--nice=5', '--nice=1'],
    });
    expect(() => slurmDefaultsFromEnv({ LAYERLAB_SLURM_TIME: 'soon' })).toThrow(
      /LAYERLAB_SLURM_TIME: expected a Slurm time/,
    );
  });

  it('writes a batch script that resumes when a checkpoint exists at run time (a Slurm requeue)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layerlab-batch-it's-"));
    const script = path.join(dir, 'job.sh');
    const run = () => execFileSync('sh', [script], { encoding: 'utf8' }).trim();
    fs.writeFileSync(
      script,
      batchScript({
        runId: 'r-1',
        dir,
        cwd: dir,
        env: { CUDA_VISIBLE_DEVICES: '' },
        start: ['sh', '-c', 'echo start $LAYERLAB_RUN_ID "$CUDA_VISIBLE_DEVICES" $(pwd)'],
        resume: ['sh', '-c', 'echo resume'],
      }),
    );
    expect(run()).toBe(`start r-1  ${dir}`);
    fs.mkdirSync(path.join(dir, 'checkpoint'));
    fs.writeFileSync(path.join(dir, 'checkpoint', 'manifest.json'), '{}');
    expect(run()).toBe('resume');
    fs.rmSync(dir, { recursive: true });
  });
});

describe('Slurm answers', () => {
  it('reads squeue lines and scontrol records; unknown states count as alive', () => {
    const jobs = parseSqueue(
      ['12|layerlab-r-1|PENDING|Resources', '13|layerlab-r-2|RUNNING|None', '14_[1-3]|x|PENDING|None', 'junk'].join(
        '\n',
      ),
    );
    expect(jobs).toEqual([
      { id: 12, name: 'layerlab-r-1', state: 'PENDING', reason: 'Resources' },
      { id: 13, name: 'layerlab-r-2', state: 'RUNNING', reason: null },
    ]);
    const record =
      'JobId=15 JobName=layerlab-r-3 UserId=root(0) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ' +
      'Requeue=1 Restarts=0 BatchFlag=1 ExitCode=0:15 RunTime=00:01:02';
    expect(parseScontrolJob(record)).toEqual({
      id: 15,
      name: 'layerlab-r-3',
      state: 'TIMEOUT',
      reason: 'TimeLimit',
      exitCode: '0:15',
    });
    expect(parseScontrolJob('slurm_load_jobs error: Invalid job id specified')).toBeNull();
    expect(stateAlive('PENDING')).toBe(true);
    expect(stateAlive('CANCELLED by 0')).toBe(false);
    expect(stateAlive('NODE_FAIL')).toBe(false);
    expect(stateAlive('SOMETHING_NEW')).toBe(true);
  });

  it('maps how Slurm ended a job whose trainer wrote no terminal event to how its run goes on', () => {
    const end = (state: string, exitCode = '0:0') =>
      slurmJobEnd({ id: 7, name: 'layerlab-r', state, reason: null, exitCode });
    // A relaunch would meet the same end: the run fails with a reason; a timeout stays resumable by hand.
    expect(end('TIMEOUT', '0:15')).toEqual({
      outcome: 'fail',
      reason: 'timeout',
      message:
        'Slurm job 7 ended TIMEOUT, exit code 0:15: its time limit came before the trainer stopped; Resume ' +
        'continues from its last checkpoint',
    });
    expect(end('OUT_OF_MEMORY', '0:125')).toMatchObject({ outcome: 'fail', reason: 'oom' });
    expect(end('OUT_OF_MEMORY').outcome === 'fail' && end('OUT_OF_MEMORY').message).toMatch(/out of memory/);
    expect(end('DEADLINE')).toMatchObject({ outcome: 'fail', reason: 'error' });
    // Cancelled in Slurm by hand (LayerLab's own cancel never asks): the run is cancelled.
    expect(end('CANCELLED by 0', '0:9')).toMatchObject({ outcome: 'cancel' });
    // The cluster stopped it (node failure, preemption, boot failure): resumed, and its SIGTERM was no user's.
    for (const s of ['NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL']) {
      expect(end(s)).toEqual({ outcome: 'resume', message: `Slurm job 7 ended ${s}, exit code 0:0`, cluster: true });
    }
    // The step was killed (FAILED), or the script ended without the trainer's end: resumed (bounded attempts).
    expect(end('FAILED', '0:9')).toEqual({
      outcome: 'resume',
      message: 'Slurm job 7 ended FAILED, exit code 0:9 without a terminal event',
      cluster: false,
    });
    expect(end('COMPLETED')).toMatchObject({ outcome: 'resume', cluster: false });
    expect(stateWaiting('PENDING')).toBe(true);
    expect(stateWaiting('REQUEUED')).toBe(true);
    expect(stateWaiting('RUNNING')).toBe(false);
  });
});
