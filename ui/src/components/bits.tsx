import type { ComponentChildren } from 'preact';
import type { EventBody, ProblemBody } from '../../../src/runtime/api/contract.js';
import { ago, keyLabel, location, parseKey, shortId, timestamp } from '../lib/format.js';
import { routePath } from '../lib/routes.js';
import { Link } from '../router.js';

/**
 * Small pieces every page uses. Colour never carries meaning alone: every badge says its word,
 * and the colours are chosen for AA contrast on both themes (styles.css).
 */
const TONE: Record<string, string> = {
  Healthy: 'ok',
  Synced: 'ok',
  Running: 'ok',
  synced: 'ok',
  complete: 'ok',
  Progressing: 'busy',
  progressing: 'busy',
  OutOfSync: 'warn',
  Suspended: 'warn',
  Unknown: 'muted',
  Missing: 'bad',
  Degraded: 'bad',
  Failed: 'bad',
  failed: 'bad',
  invalid: 'bad',
  aborted: 'warn',
  'rolled-back': 'warn',
  superseded: 'muted',
  Warning: 'warn',
  Normal: 'muted',
  ready: 'ok',
  'not ready': 'bad',
  pinned: 'warn',
  scaled: 'muted',
  current: 'ok',
};

export function Badge(props: { word: string; label?: string }) {
  return (
    <span class={`badge tone-${TONE[props.word] ?? 'muted'}`} {...(props.label ? { 'aria-label': `${props.label}: ${props.word}` } : {})}>
      {props.word}
    </span>
  );
}

/** A relative time that reads well, with the exact time on hover and for assistive technology. */
export function Time(props: { iso: string | null | undefined; now: number }) {
  if (!props.iso) return <span>never</span>;
  return (
    <time dateTime={props.iso} title={timestamp(props.iso)}>
      {ago(props.iso, props.now)}
    </time>
  );
}

/** A revision id shortened as `berth` prints it, the whole id on hover. */
export function RevisionId(props: { id: string | null | undefined; elementId?: string }) {
  return (
    <code title={props.id ?? ''} {...(props.elementId ? { id: props.elementId } : {})}>
      {shortId(props.id)}
    </code>
  );
}

export function Problems(props: { problems: readonly ProblemBody[] }) {
  return (
    <ul class="problems">
      {props.problems.map((p, i) => (
        <li key={i} class={`problem sev-${p.severity}`}>
          <code class="loc">{location(p)}</code> <span class="sev">{p.severity}:</span> {p.message}
          {p.code ? <span class="code"> [{p.code}]</span> : null}
        </li>
      ))}
    </ul>
  );
}

export function ErrorNote(props: { error: Error | undefined; what: string }) {
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      Could not read {props.what}: {props.error.message}
    </p>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {props.what}…
    </p>
  );
}

/** `Deployment/shop/web` as a link to its page when it names an object. */
export function ObjectLink(props: { objectKey: string }) {
  const ref = parseKey(props.objectKey);
  if (!ref || ref.kind === 'Source') return <span>{keyLabel(props.objectKey)}</span>;
  return <Link href={routePath({ page: 'resource', ref })}>{keyLabel(props.objectKey)}</Link>;
}

/** A table that scrolls sideways on a phone instead of breaking the page; focusable so keyboards can scroll it. */
export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}

export function EventsTable(props: { events: readonly EventBody[]; now: number; showObject: boolean; label: string }) {
  if (props.events.length === 0) return <p class="muted">No events.</p>;
  return (
    <TableScroll label={props.label}>
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Reason</th>
            {props.showObject ? <th scope="col">Object</th> : null}
            <th scope="col">Message</th>
            <th scope="col">Count</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {[...props.events].reverse().map((e, i) => (
            <tr key={i}>
              <td data-label="Type">
                <Badge word={e.type} />
              </td>
              <td data-label="Reason">{e.reason}</td>
              {props.showObject ? (
                <td data-label="Object">
                  <ObjectLink objectKey={e.object} />
                </td>
              ) : null}
              <td class="msg" data-label="Message">
                {e.message}
              </td>
              <td class="num" data-label="Count">
                {e.count}
              </td>
              <td data-label="Last seen">
                <Time iso={e.lastTimestamp} now={props.now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
