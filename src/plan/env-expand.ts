// `$(VAR)` expansion as the kubelet does it, for command, args, env and subPathExpr.

/**
 * The kubelet's subPathExpr: `$(VAR)` from the container's environment (`$$` is a literal `$`).
 * A variable that is unset or empty is an error, as is a result that is absolute or climbs with
 * `..` (the same rule as subPath; the path is then resolved inside the volume like a subPath).
 */
export function expandSubPathExpr(expr: string, env: ReadonlyMap<string, string>): { subPath: string } | { error: string } {
  const missing = new Set<string>();
  const subPath = expr.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    const v = env.get(name!);
    if (v === undefined || v === '') missing.add(name!);
    return v ?? '';
  });
  if (missing.size > 0) return { error: `has no value for ${[...missing].sort().map((n) => `$(${n})`).join(', ')}: not in the container's env, or empty` };
  if (subPath.startsWith('/')) return { error: `expands to ${JSON.stringify(subPath)}, an absolute path; it must be relative to the volume` };
  if (subPath.split('/').includes('..')) return { error: `expands to ${JSON.stringify(subPath)}, which contains '..'; it must stay inside the volume` };
  return { subPath };
}

/** `$(VAR)` expands when VAR is known, `$$(VAR)` escapes to a literal `$(VAR)`; unknown stays as written. */
export function expandVars(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    const v = name === undefined ? undefined : vars.get(name);
    return v ?? m;
  });
}
