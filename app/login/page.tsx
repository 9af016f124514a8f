export const dynamic = 'force-dynamic';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ e?: string; next?: string }> }) {
  const { e, next } = await searchParams;
  return (
    <section className="panel" style={{ maxWidth: 420 }}>
      <h1>Sign in</h1>
      <p className="muted">This LayerLab server is protected by an admin token (LAYERLAB_ADMIN_TOKEN).</p>
      {e ? (
        <p role="alert" style={{ color: 'var(--bad)' }}>
          That token is not right.
        </p>
      ) : null}
      <form method="post" action="/api/login">
        <input type="hidden" name="next" value={next ?? '/'} />
        <label>
          Admin token
          <br />
          <input
            name="token"
            type="password"
            autoComplete="current-password"
            required
            style={{ width: '100%', padding: '0.4rem' }}
          />
        </label>
        <p>
          <button className="button" type="submit">
            Sign in
          </button>
        </p>
      </form>
    </section>
  );
}
