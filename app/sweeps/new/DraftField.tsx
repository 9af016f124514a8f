'use client';
/**
 * A text field that keeps what the user is typing ("1, 2," or "1e-") while it is focused, and follows the
 * YAML when the YAML changes elsewhere. `commit` returns an error message to show, or null.
 */
import { useEffect, useRef, useState } from 'react';

interface Props {
  id: string;
  label: string;
  value: string;
  commit: (text: string) => string | null;
  problems?: string[];
  hint?: string;
  disabled?: boolean;
  inputMode?: 'numeric' | 'decimal' | 'text';
  placeholder?: string;
}

export function DraftField({ id, label, value, commit, problems = [], hint, disabled, inputMode, placeholder }: Props) {
  const [draft, setDraft] = useState(value);
  const [localError, setLocalError] = useState<string | null>(null);
  const focused = useRef(false);
  useEffect(() => {
    if (!focused.current) {
      setDraft(value);
      setLocalError(null);
    }
  }, [value]);
  const messages = localError ? [localError, ...problems] : problems;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        name={id}
        value={draft}
        disabled={disabled}
        inputMode={inputMode}
        placeholder={placeholder}
        aria-invalid={messages.length > 0}
        aria-describedby={[hint ? `${id}-hint` : '', messages.length ? `${id}-err` : ''].join(' ').trim() || undefined}
        onFocus={() => {
          focused.current = true;
        }}
        onBlur={() => {
          focused.current = false;
          if (!localError) setDraft(value);
        }}
        onChange={(e) => {
          setDraft(e.target.value);
          setLocalError(commit(e.target.value));
        }}
      />
      {hint ? (
        <span id={`${id}-hint`} className="field-hint muted">
          {hint}
        </span>
      ) : null}
      {messages.length ? (
        <span id={`${id}-err`} className="field-error" role="alert">
          {messages.join('; ')}
        </span>
      ) : null}
    </div>
  );
}
