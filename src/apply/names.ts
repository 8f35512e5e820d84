/**
 * Docker object names. Docker names are global to the engine, so they carry the app:
 * two apps may both have a `default/web`.
 */
export const dockerNames = {
  network: (app: string, ns: string) => `berth_${app}_${ns}`,
  sandbox: (app: string, ns: string, pod: string) => `berth_${app}_${ns}_${pod}`,
  container: (app: string, ns: string, pod: string, container: string) => `berth_${app}_${ns}_${pod}_${container}`,
  initContainer: (app: string, ns: string, pod: string, container: string) => `berth_${app}_${ns}_${pod}_init-${container}`,
  podVolume: (app: string, ns: string, pod: string, volume: string) => `berth_${app}_${ns}_${pod}_${volume}`,
  pvc: (app: string, ns: string, claim: string) => `berth_${app}_${ns}_pvc_${claim}`,
  serviceProxy: (app: string, ns: string, svc: string) => `berth_${app}_${ns}_svc_${svc}`,
};

/** Where a pod's configMap/secret volumes are mounted in its sandbox, to be filled via the archive API. */
export function sandboxVolumePath(volume: string): string {
  return `/.berth/volumes/${volume}`;
}
