import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiAccessBody } from '../../../src/runtime/api/contract.js';
import { checkToken } from '../api.js';

/**
 * The only thing shown without a token when the daemon has one. The token is checked against
 * the daemon before it is kept (sessionStorage, this tab only); a wrong one is said so and
 * nothing else happens.
 */
export function Login(props: { notice?: string; onToken(token: string, access: ApiAccessBody): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  // The first page a visitor can use: the browser test's time-to-interactive mark. The field
  // takes the focus, as it is all there is to do here.
  useEffect(() => {
    field.current?.focus();
    performance.mark('berth:login-ready');
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) return setError('Paste the API token (the content of the daemon\u2019s --token-file).');
    setBusy(true);
    const check = await checkToken(value);
    setBusy(false);
    if (check.ok) return props.onToken(value, check.access);
    setError(check.message);
  };

  return (
    <main id="main" class="login">
      <h1>berth</h1>
      <form onSubmit={submit} class="card" aria-describedby="login-help">
        <h2>Sign in</h2>
        <p id="login-help">
          This daemon's API needs its token: the content of the file given to <code>berth daemon --token-file</code>. It is kept for this tab only.
        </p>
        {props.notice && !error ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <label for="token">API token</label>
        <input
          id="token"
          ref={field}
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'login-error' : undefined}
        />
        {error ? (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
