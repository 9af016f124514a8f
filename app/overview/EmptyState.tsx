'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@/app/components/link';
import { apiSend } from '@/app/api-client';
import { useCanEdit } from '@/app/viewer';
import { specPreset } from '@/lib/sweep/presets';

/** First visit: what LayerLab does, a one-click demo sweep, and the command-line route. */
export function EmptyState() {
  const canEdit = useCanEdit();
  const client = useQueryClient();
  const demo = useMutation({
    mutationFn: () =>
      apiSend<{ id: string }>('/api/sweeps', {
        body: specPreset('demo')?.yaml ?? '',
        contentType: 'application/yaml',
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['overview'] }),
  });
  return (
    <section className="panel empty" data-testid="empty-state">
      <h1>Welcome to LayerLab</h1>
      <p>
        There are no sweeps or runs in this data home yet. LayerLab plans γ × K ablations of LISA against full
        fine-tuning and LoRA, runs the trainer for each configuration, and shows the paper&apos;s views.
      </p>
      {canEdit ? (
        <div className="empty-actions">
          <button
            type="button"
            className="button"
            onClick={() => demo.mutate()}
            disabled={demo.isPending || demo.isSuccess}
          >
            {demo.isPending ? 'Launching…' : 'Launch the demo sweep'}
          </button>
          <Link className="button button-secondary" href="/sweeps/new">
            New sweep…
          </Link>
          <span className="muted">
            The demo trains a tiny (nano) model: 12 fine-tunes plus a base; its measured length on two CPU cores is in
            the README (&ldquo;The demo&rdquo;).
          </span>
          {demo.isError ? (
            <p className="error" role="alert">
              Could not launch the demo: {demo.error.message}
            </p>
          ) : null}
        </div>
      ) : null}
      <h2>Or from the command line</h2>
      <ol>
        <li>
          Train a tiny base model and a LISA fine-tune to see the trainer at work:
          <pre>{`npm run train -- --preset nano --stage pretrain --steps 200 --out runs/base
npm run train -- --preset nano --base runs/base --method lisa --gamma 1 --interval 5 --steps 60 --out runs/lisa`}</pre>
        </li>
        <li>
          Plan a sweep by sending a spec (see <code>docs/sweep-spec.md</code>) to <code>POST /api/sweeps</code>; its
          runs appear here with their status and progress.
        </li>
      </ol>
      <p className="muted">
        Check this machine&apos;s trainer backends at <a href="/api/health">/api/health</a>.
      </p>
    </section>
  );
}
