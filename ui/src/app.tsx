import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiAccessBody } from '../../src/runtime/api/contract.js';
import { checkToken, createApi, tokenStore } from './api.js';
import { SessionContext, useTitle, type Session } from './hooks.js';
import { connectLive, type LiveState } from './live.js';
import { navSection, routePath, type Route } from './lib/routes.js';
import { DiffPage } from './pages/diff.js';
import { EventsPage } from './pages/events.js';
import { Login } from './pages/login.js';
import { Overview } from './pages/overview.js';
import { ResourcePage } from './pages/resource.js';
import { TreePage } from './pages/tree.js';
import { Link, useRoute } from './router.js';

type Auth = { phase: 'checking' } | { phase: 'login'; notice?: string } | { phase: 'in'; token: string | null; access: ApiAccessBody; signedIn?: true } | { phase: 'unreachable'; message: string };

/**
 * Signed out, the app is the login form and nothing else: no page renders and no data request
 * is made until the daemon accepts the token (or has none). A 401 at any time signs out.
 */
export function App() {
  const [auth, setAuth] = useState<Auth>({ phase: 'checking' });

  const start = async () => {
    const saved = tokenStore.read();
    const check = await checkToken(saved);
    if (check.ok) return setAuth({ phase: 'in', token: saved, access: check.access });
    if (!check.unauthorized) return setAuth({ phase: 'unreachable', message: check.message });
    tokenStore.clear();
    setAuth(saved ? { phase: 'login', notice: 'The saved token was refused; sign in again.' } : { phase: 'login' });
  };
  useEffect(() => void start(), []);

  switch (auth.phase) {
    case 'checking':
      return null;
    case 'unreachable':
      return (
        <main id="main" class="login">
          <h1>berth</h1>
          <p class="error" role="alert">
            {auth.message}
          </p>
          <button type="button" onClick={() => void start()}>
            Try again
          </button>
        </main>
      );
    case 'login':
      return (
        <Login
          {...(auth.notice ? { notice: auth.notice } : {})}
          onToken={(token, access) => {
            tokenStore.write(token);
            setAuth({ phase: 'in', token, access, signedIn: true });
          }}
        />
      );
    case 'in':
      return (
        <SignedIn
          token={auth.token}
          access={auth.access}
          focusHeading={auth.signedIn === true}
          onSignOut={(notice) => {
            tokenStore.clear();
            setAuth(notice ? { phase: 'login', notice } : { phase: 'login' });
          }}
        />
      );
  }
}

function SignedIn(props: { token: string | null; access: ApiAccessBody; focusHeading: boolean; onSignOut(notice?: string): void }) {
  const base = useMemo<Omit<Session, 'access'>>(() => {
    const api = createApi(props.token, () => props.onSignOut('The daemon no longer accepts the token; sign in again.'));
    return { api, live: connectLive(api), logout: () => props.onSignOut('Signed out.') };
  }, [props.token]);
  useEffect(() => () => base.live.close(), [base]);
  // A daemon that restarted may have lost (or gained) --token-file or --no-exec: ask again what it opens.
  const [access, setAccess] = useState(props.access);
  useEffect(
    () =>
      base.live.subscribe((topic) => {
        if (topic === 'reconnected') void checkToken(props.token).then((check) => check.ok && setAccess(check.access));
      }),
    [base],
  );
  const session = useMemo<Session>(() => ({ ...base, access }), [base, access]);

  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} focusHeading={props.focusHeading} />
    </SessionContext.Provider>
  );
}

const NAV: Array<{ section: NonNullable<ReturnType<typeof navSection>>; label: string; route: Route }> = [
  { section: 'overview', label: 'Overview', route: { page: 'overview' } },
  { section: 'tree', label: 'Resources', route: { page: 'tree' } },
  { section: 'diff', label: 'Diff', route: { page: 'diff' } },
  { section: 'events', label: 'Events', route: { page: 'events' } },
];

const LIVE_WORDS: Record<LiveState, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

function Shell(props: { session: Session; focusHeading: boolean }) {
  const route = useRoute();
  const section = navSection(route);
  const [liveState, setLiveState] = useState<LiveState>(props.session.live.state());
  useEffect(() => {
    const off = props.session.live.onState(setLiveState);
    // The stream may have connected between the first render and this subscription.
    setLiveState(props.session.live.state());
    return off;
  }, [props.session]);

  // After a navigation, and after signing in (the form that had the focus is gone), focus moves
  // to the page's heading so screen readers announce it; not on a plain load of the page.
  const path = routePath(route);
  const first = useRef(true);
  useEffect(() => {
    if (first.current && !props.focusHeading) return void (first.current = false);
    first.current = false;
    return focusHeading();
  }, [path]);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">berth</span>
        <nav aria-label="Pages">
          <ul>
            {NAV.map((n) => (
              <li key={n.section}>
                <Link href={routePath(n.route)} aria-current={section === n.section ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span class={`live live-${liveState}`} role="status">
          {LIVE_WORDS[liveState]}
        </span>
        {props.session.api.hasToken ? (
          <button type="button" class="quiet" onClick={props.session.logout}>
            Sign out
          </button>
        ) : null}
      </header>
      <main id="main">
        {props.session.access.privileged ? null : (
          <p class="notice" id="read-only" role="note">
            This daemon runs without <code>--token-file</code>: read-only. Logs, terminals and actions need the daemon to run with an API token.
          </p>
        )}
        <Page route={route} />
      </main>
    </>
  );
}

function Page(props: { route: Route }) {
  const r = props.route;
  switch (r.page) {
    case 'overview':
      return <Overview />;
    case 'tree':
      return <TreePage />;
    case 'resource':
      return <ResourcePage key={routePath(r)} objectRef={r.ref} />;
    case 'diff':
      return <DiffPage />;
    case 'events':
      return <EventsPage />;
    case 'not-found':
      return <NotFound path={r.path} />;
  }
}

function NotFound(props: { path: string }) {
  useTitle('Not found');
  return (
    <>
      <h1 tabIndex={-1}>Not found</h1>
      <p>
        No page at <code>{props.path}</code>. <Link href="/">Go to the overview</Link>.
      </p>
    </>
  );
}

/**
 * Focuses the page's h1, waiting for it (up to 3 s) when the page renders it only once its data
 * has come (the overview); returns the cancel for an effect's cleanup.
 */
function focusHeading(): () => void {
  const focus = () => {
    const h1 = document.querySelector<HTMLElement>('main h1');
    h1?.focus();
    return h1 !== null;
  };
  if (focus()) return () => {};
  const observer = new MutationObserver(() => focus() && stop());
  const timer = setTimeout(() => stop(), 3000);
  const stop = () => {
    observer.disconnect();
    clearTimeout(timer);
  };
  observer.observe(document.querySelector('main') ?? document.body, { childList: true, subtree: true });
  return stop;
}
