'use client';
/**
 * Tags and a note on a run or a sweep: shown to everyone who may see it (share links included), edited by the
 * admin (PUT /api/runs/:id/annotations, /api/sweeps/:id/annotations). Tags link to the runs table filtered by them.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Link } from '@/app/components/link';
import { useState } from 'react';
import { ApiError, apiSend } from '@/app/api-client';
import { useCanEdit } from '@/app/viewer';
import type { Annotations as Stored } from '@/lib/queries/annotations';

export function Annotations({
  target,
  id,
  value,
  queryKey,
}: {
  target: 'run' | 'sweep';
  id: string;
  value: Stored;
  queryKey: unknown[];
}) {
  const canEdit = useCanEdit();
  const client = useQueryClient();
  const [draft, setDraft] = useState<{ tags: string; note: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!canEdit && value.tags.length === 0 && !value.note) return null;
  const save = async () => {
    if (!draft) return;
    setError(null);
    try {
      const tags = draft.tags.split(/[,\s]+/).filter(Boolean);
      await apiSend(`/api/${target}s/${id}/annotations`, {
        method: 'PUT',
        body: JSON.stringify({ tags, note: draft.note }),
      });
      await client.invalidateQueries({ queryKey });
      setDraft(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  return (
    <section className="annotations panel" data-testid={`${target}-annotations`} aria-label="Tags and note">
      {draft ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label className="view-field">
            <span>Tags (comma or space separated)</span>
            <input
              value={draft.tags}
              onChange={(e) => setDraft({ ...draft, tags: e.target.value })}
              data-testid="tags-input"
            />
          </label>
          <label className="view-field" style={{ display: 'block' }}>
            <span>Note</span>
            <textarea
              value={draft.note}
              onChange={(e) => setDraft({ ...draft, note: e.target.value })}
              data-testid="note-input"
            />
          </label>
          <button type="submit" className="button" data-testid="annotations-save">
            Save
          </button>{' '}
          <button type="button" className="link-button" onClick={() => setDraft(null)}>
            cancel
          </button>
          {error ? (
            <span className="view-error-inline" role="alert">
              {' '}
              {error}
            </span>
          ) : null}
        </form>
      ) : (
        <>
          <span className="muted">Tags: </span>
          {value.tags.length === 0 ? <span className="muted">none </span> : null}
          {value.tags.map((t) => (
            <Link key={t} className="tag" href={`/runs?tags=${encodeURIComponent(t)}`} data-testid="tag">
              {t}
            </Link>
          ))}
          {canEdit ? (
            <button
              type="button"
              className="link-button"
              onClick={() => setDraft({ tags: value.tags.join(', '), note: value.note })}
              data-testid="annotations-edit"
            >
              edit tags &amp; note
            </button>
          ) : null}
          {value.note ? (
            <p className="note" data-testid="note">
              {value.note}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
