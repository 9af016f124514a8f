'use client';
import { useMutation } from '@tanstack/react-query';
import { Link } from '@/app/components/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { apiSend } from '@/app/api-client';
import { useCanEdit } from '@/app/viewer';
import { SPEC_PRESETS, specPreset } from '@/lib/sweep/presets';
import { PRESETS } from '@/lib/protocol/config';
import { DraftField } from './DraftField';
import { PasteCommand } from './PasteCommand';
import { PlanPreview } from './PlanPreview';
import { fieldOfProblem, readForm, writeField, type FormField, type SpecForm } from './spec-form';
import { usePlan } from './usePlan';

const PRESET_BUTTONS = ['demo', 'lisa-ablation-mini', 'weight-norms-figure-2', 'nano-demo'];

export function NewSweepClient({ presetId }: { presetId: string }) {
  const router = useRouter();
  const canEdit = useCanEdit();
  const [yaml, setYaml] = useState(() => specPreset(presetId)?.yaml ?? '');
  const read = useMemo(() => readForm(yaml), [yaml]);
  const plan = usePlan(yaml, read.ok);
  const problems = read.ok ? (plan.data?.problems ?? []) : [];
  const launch = useMutation({
    mutationFn: () => apiSend<{ id: string }>('/api/sweeps', { body: yaml, contentType: 'application/yaml' }),
    onSuccess: ({ id }) => router.push(`/sweeps/${id}`),
  });

  const form = read.ok ? read.form : null;
  const problemsFor = (f: FormField) =>
    problems.filter((p) => fieldOfProblem(p.path) === f).map((p) => `${p.path}: ${p.message}`);
  const set =
    (field: FormField) =>
    (text: string | boolean): string | null => {
      if (!form) return 'fix the YAML first';
      const r = writeField(yaml, { ...form, [field]: text } as SpecForm, field);
      if ('error' in r) return r.error;
      setYaml(r.yaml);
      return null;
    };
  const field = (f: FormField, label: string, hint?: string, placeholder?: string) => (
    <DraftField
      id={`f-${f}`}
      label={label}
      value={form ? String(form[f]) : ''}
      commit={set(f)}
      problems={problemsFor(f)}
      hint={hint}
      placeholder={placeholder}
      disabled={!form}
    />
  );

  return (
    <>
      <div className="page-head">
        <h1>New sweep</h1>
        <div className="page-actions" role="group" aria-label="Presets">
          {PRESET_BUTTONS.map((id) => SPEC_PRESETS.find((p) => p.id === id)).map(
            (p) =>
              p && (
                <button
                  key={p.id}
                  type="button"
                  className={`button button-secondary${p.id === presetId ? ' active' : ''}`}
                  title={p.description}
                  onClick={() => {
                    setYaml(p.yaml);
                    router.replace(`/sweeps/new?p=${p.id}`, { scroll: false });
                  }}
                >
                  {p.title.replace(' (seconds)', '')}
                </button>
              ),
          )}
        </div>
      </div>
      <PasteCommand onSpec={setYaml} disabled={!canEdit} />
      <div className="new-sweep">
        <form className="panel spec-form" aria-label="Sweep form" onSubmit={(e) => e.preventDefault()}>
          {field('name', 'Name')}
          <div className="field-row">
            <label className="field" htmlFor="f-preset">
              <span className="field-label">Model preset</span>
              <select
                id="f-preset"
                value={form?.preset ?? ''}
                disabled={!form}
                onChange={(e) => set('preset')(e.target.value)}
              >
                {PRESETS.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
              {problemsFor('preset').map((m) => (
                <span key={m} className="field-error" role="alert">
                  {m}
                </span>
              ))}
            </label>
            {field('data', 'Data', 'preset (instruct, pretrain) or a file path')}
            <label className="field" htmlFor="f-executor">
              <span className="field-label">Executor</span>
              <select
                id="f-executor"
                value={form?.executor ?? ''}
                disabled={!form}
                onChange={(e) => set('executor')(e.target.value)}
              >
                <option value="">server default</option>
                <option value="local">local processes</option>
                <option value="slurm">Slurm (sbatch)</option>
              </select>
              {problemsFor('executor').map((m) => (
                <span key={m} className="field-error" role="alert">
                  {m}
                </span>
              ))}
            </label>
          </div>
          <div className="field-row">
            {field('steps', 'Steps')}
            {field('batch', 'Batch')}
            {field(
              'lr',
              'Learning rate (LISA)',
              'one value, or several to sweep; baselines without their own follow it',
              'trainer default',
            )}
          </div>
          <div className="field-row">
            {field('gammas', 'γ values', 'blocks trained per period')}
            {field('intervals', 'K values', 'steps between switches')}
            {field('seeds', 'Seeds')}
          </div>
          <fieldset className="baselines">
            <legend>Baselines</legend>
            <p className="muted">
              Each method gets its own learning rate: give one, or several to sweep, and the table compares every method
              at its best lr (chosen on eval loss).
            </p>
            <label className="check">
              <input
                type="checkbox"
                checked={form?.full ?? false}
                disabled={!form}
                onChange={(e) => set('full')(e.target.checked)}
              />{' '}
              Full fine-tuning
            </label>
            {form?.full ? <div className="field-row">{field('fullLr', 'Full lr', undefined, 'as LISA')}</div> : null}
            <label className="check">
              <input
                type="checkbox"
                checked={form?.lora ?? false}
                disabled={!form}
                onChange={(e) => set('lora')(e.target.checked)}
              />{' '}
              LoRA
            </label>
            {form?.lora ? (
              <div className="field-row">
                {field('loraRank', 'LoRA rank r')}
                {field('loraAlpha', 'LoRA α')}
                {field('loraLr', 'LoRA lr', 'LoRA usually needs ~10× full’s, e.g. 3e-3, 1e-2', 'as LISA')}
              </div>
            ) : null}
            {problemsFor('lora').map((m) => (
              <span key={m} className="field-error" role="alert">
                {m}
              </span>
            ))}
          </fieldset>
        </form>
        <div className="panel spec-yaml">
          <label htmlFor="spec-yaml" className="field-label">
            Spec (YAML) — edits here update the form; see docs/sweep-spec.md
          </label>
          <textarea
            id="spec-yaml"
            data-testid="spec-yaml"
            spellCheck={false}
            value={yaml}
            onChange={(e) => setYaml(e.target.value)}
            rows={24}
          />
          {!read.ok ? (
            <p className="field-error" role="alert">
              YAML: {read.error}
            </p>
          ) : null}
          {problems.length ? (
            <ul className="problems" data-testid="spec-problems" aria-label="Problems">
              {problems.map((p) => (
                <li key={`${p.path}:${p.message}`}>
                  <code>{p.path || '(spec)'}</code> {p.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </div>
      <h2>Plan</h2>
      {plan.isError ? (
        <p className="field-error" role="alert">
          Could not plan: {plan.error.message}. Is the server running?
        </p>
      ) : null}
      {plan.data?.plan ? (
        <PlanPreview plan={plan.data.plan} stale={plan.pending} />
      ) : !plan.isError ? (
        <p className="muted">
          {problems.length
            ? 'Fix the problems above to see the plan.'
            : read.ok
              ? 'Planning…'
              : 'Fix the YAML to see the plan.'}
        </p>
      ) : null}
      <div className="launch-bar">
        {canEdit ? (
          <button
            type="button"
            className="button"
            data-testid="launch"
            disabled={!plan.data?.plan || problems.length > 0 || plan.pending || launch.isPending || launch.isSuccess}
            onClick={() => launch.mutate()}
          >
            {launch.isPending || launch.isSuccess
              ? 'Launching…'
              : `Launch ${plan.data?.plan ? plan.data.plan.totals.runs + (plan.data.plan.pretrain ? 1 : 0) : ''} runs`}
          </button>
        ) : (
          <p className="muted">This is a read-only link: launching needs the admin.</p>
        )}
        {launch.isError ? (
          <span className="field-error" role="alert">
            Launch failed: {launch.error.message}
          </span>
        ) : null}
        <Link href="/" className="muted">
          Cancel
        </Link>
      </div>
    </>
  );
}
