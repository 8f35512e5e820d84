/**
 * A count of long-lived answers held open at once (the web UI's log and event streams), so a
 * page in a reconnect loop or a script cannot pile up sockets, Docker log streams and feed
 * listeners until the daemon runs out of them. `take()` is a slot's release, or undefined when
 * all are taken; a release frees its slot once however often it is called (every close path
 * may call it).
 */
export interface Slots {
  take(): (() => void) | undefined;
  inUse(): number;
}

export function createSlots(max: number): Slots {
  let used = 0;
  return {
    take() {
      if (used >= max) return undefined;
      used += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        used -= 1;
      };
    },
    inUse: () => used,
  };
}
