/** What the daemon did with the change, and how long it keeps it. */
export function daemonNote(daemon: { pid: number; hostname: string }, hold: { source: string; sourceRevision: string } | undefined): string {
  const who = `the berth daemon (pid ${daemon.pid} on ${daemon.hostname}) manages this app and made the change`;
  return hold ? `note: ${who}; it follows ${hold.source} and keeps this change until the source changes (now at revision ${hold.sourceRevision.slice(0, 12)})` : `note: ${who}`;
}
