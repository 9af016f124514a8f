'use client';
/**
 * "Share": makes a read-only link to the view as it is now (path + query), copies it, and can revoke it.
 * Hidden for share viewers.
 */
import { usePathname, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { ApiError, apiSend } from '@/app/api-client';
import { useCanEdit } from '@/app/viewer';

interface Created {
  id: string;
  url: string;
}

export function ShareButton() {
  const canEdit = useCanEdit();
  const pathname = usePathname();
  const search = useSearchParams();
  const [link, setLink] = useState<Created | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!canEdit)
    return (
      <span className="status" data-testid="read-only-badge">
        read-only shared view
      </span>
    );

  const create = async () => {
    setError(null);
    try {
      const q = search.toString();
      const created = await apiSend<Created>('/api/shares', {
        body: JSON.stringify({ path: q ? `${pathname}?${q}` : pathname }),
      });
      setLink(created);
      await navigator.clipboard?.writeText(created.url).catch(() => undefined);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const revoke = async () => {
    if (!link) return;
    await apiSend(`/api/shares/${link.id}`, { method: 'DELETE' });
    setLink(null);
  };

  return (
    <span className="share">
      <button type="button" className="button" onClick={create} data-testid="share-button">
        Share
      </button>
      {link ? (
        <span className="share-link">
          <input
            readOnly
            value={link.url}
            data-testid="share-url"
            onFocus={(e) => e.currentTarget.select()}
            size={40}
          />
          <button type="button" className="link-button" onClick={revoke}>
            revoke
          </button>
        </span>
      ) : null}
      {error ? (
        <span role="alert" className="muted">
          {' '}
          {error}
        </span>
      ) : null}
    </span>
  );
}
