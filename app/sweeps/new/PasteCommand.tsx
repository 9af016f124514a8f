'use client';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, apiSend } from '@/app/api-client';
import type { FromCommand } from '@/lib/sweep/from-command';

/**
 * Paste an ms-swift or LMFlow command line (or several): the server turns it into a spec draft
 * (POST /api/sweeps?from=command), which replaces the YAML; its warnings and notes stay in view.
 */
export function PasteCommand({ onSpec, disabled }: { onSpec: (yaml: string) => void; disabled: boolean }) {
  const [text, setText] = useState('');
  const make = useMutation({
    mutationFn: () => apiSend<FromCommand>('/api/sweeps?from=command', { body: text, contentType: 'text/plain' }),
    onSuccess: (d) => onSpec(d.yaml),
  });
  const problems = make.error instanceof ApiError ? (make.error.problems ?? []) : [];
  return (
    <details className="panel paste-command">
      <summary>Paste an ms-swift or LMFlow command</summary>
      <label htmlFor="paste-command" className="field-label">
        Command line(s) — flags keep their tools' meaning (docs/trainer.md); the first LISA command becomes the grid,
        the others baselines. Then add axes below.
      </label>
      <textarea
        id="paste-command"
        data-testid="paste-command"
        spellCheck={false}
        rows={6}
        value={text}
        placeholder="sft.py --sft_type full --lisa_activated_layers 2 --lisa_step_interval 20 --learning_rate 5e-5 …"
        onChange={(e) => setText(e.target.value)}
      />
      <button
        type="button"
        className="button button-secondary"
        data-testid="paste-command-make"
        disabled={disabled || !text.trim() || make.isPending}
        onClick={() => make.mutate()}
      >
        Make a spec from it
      </button>
      {make.isError ? (
        <div className="field-error" role="alert">
          {make.error.message}
          {problems.length ? (
            <ul>
              {problems.map((p) => (
                <li key={p.message}>{p.message}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {make.data ? (
        <ul className="muted" data-testid="paste-command-result" aria-label="What the command became">
          <li>{make.data.runs.map((r) => `line ${r.line}: ${r.tool ?? 'command'} → ${r.method}`).join('; ')}</li>
          {[...make.data.warnings, ...make.data.notes].map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
    </details>
  );
}
