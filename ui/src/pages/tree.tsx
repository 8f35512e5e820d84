import { useMemo, useState } from 'preact/hooks';
import type { TreeResponse } from '../../../src/runtime/api/contract.js';
import { Badge, ErrorNote, Loading } from '../components/bits.js';
import { useApi, useTitle } from '../hooks.js';
import { paths } from '../lib/api-paths.js';
import { routePath } from '../lib/routes.js';
import { expandableKeys, flattenTree, statusWord, type TreeRow } from '../lib/tree.js';
import { Link } from '../router.js';

/**
 * Namespace → workloads → ReplicaSets → Pods → containers, Services with their endpoints,
 * Ingresses/HTTPRoutes with the Services they route to. Each row: a disclosure button (when it
 * holds anything), the object's link, its health and the status word `berth get` shows.
 * Collapsed rows stay collapsed across live refetches (keys are paths, not positions).
 */
export function TreePage() {
  const tree = useApi<TreeResponse>(paths.tree, ['resources', 'status']);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  useTitle('Resources', tree.data?.app);
  const rows = useMemo(() => (tree.data ? flattenTree(tree.data.namespaces, collapsed) : []), [tree.data, collapsed]);

  const toggle = (key: string) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <>
      <h1 tabIndex={-1}>Resources</h1>
      <ErrorNote error={tree.error} what="the resource tree" />
      {!tree.data ? (
        tree.error ? null : <Loading what="the resource tree" />
      ) : tree.data.namespaces.length === 0 ? (
        <p class="muted">The app has no objects.</p>
      ) : (
        <>
          <p class="toolbar">
            <button type="button" class="quiet" onClick={() => setCollapsed(new Set())}>
              Expand all
            </button>
            <button type="button" class="quiet" onClick={() => setCollapsed(new Set(expandableKeys(tree.data!.namespaces)))}>
              Collapse all
            </button>
          </p>
          <ul class="tree" aria-label="Resource tree">
            {rows.map((row) => (
              <Row key={row.key} row={row} onToggle={toggle} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** Indentation levels styles.css knows; deeper rows (none today) stay at the last. */
const MAX_DEPTH = 6;

function Row(props: { row: TreeRow; onToggle(key: string): void }) {
  const { row } = props;
  const { node } = row;
  const name = node.name;
  const label = `${node.kind} ${name}`;
  return (
    <li class={`row depth-${Math.min(row.level, MAX_DEPTH)}${node.ref ? ' ref' : ''}`}>
      <span class="row-main">
        {row.expandable ? (
          <button type="button" class="disclosure" aria-expanded={row.expanded} aria-label={`${row.expanded ? 'Collapse' : 'Expand'} ${label}`} onClick={() => props.onToggle(row.key)}>
            <span aria-hidden="true">{row.expanded ? '▾' : '▸'}</span>
          </button>
        ) : (
          <span class="disclosure-space" aria-hidden="true" />
        )}
        <span class="kind">{node.kind}</span>{' '}
        {row.target ? <Link href={routePath({ page: 'resource', ref: row.target })}>{name}</Link> : <span>{name}</span>}
        {node.ref ? <span class="muted"> (routes to)</span> : null}
      </span>
      <span class="row-state">
        <Badge word={node.health} label="Health" /> {statusWord(node) ? <span class="status">{statusWord(node)}</span> : null}
        {node.ready && node.ready !== node.status ? <span class="muted"> ready {node.ready}</span> : null}
      </span>
      {node.message ? <span class="row-message muted">{node.message}</span> : null}
      {row.expanded && node.endpoints?.length ? (
        <ul class="endpoints" aria-label={`Endpoints of ${node.name}`}>
          {node.endpoints.map((e) => (
            <li key={e.address + (e.pod ?? '')}>
              <code>{e.address}</code> {e.pod ? <span class="muted">{e.pod}</span> : null} <Badge word={e.ready ? 'ready' : 'not ready'} />
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
