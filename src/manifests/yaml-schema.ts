import {
  NOT_RESOLVED,
  Schema,
  boolCoreTag,
  boolYaml11Tag,
  defineScalarTag,
  floatCoreTag,
  intYaml11Tag,
  mapTag,
  mergeTag,
  nullYaml11Tag,
  seqTag,
  strTag,
} from 'js-yaml';

/**
 * YAML as Kubernetes reads it. kubectl and the API server decode with go-yaml v2 (YAML 1.1
 * flavoured), so berth follows it where the difference bites:
 * - `0644` is octal 420 (`defaultMode: 0644` is the documented idiom), `yes`/`no`/`on`/`off`
 *   are booleans (so `value: yes` is rejected as a non-string, exactly as Kubernetes does);
 * - `1e3` is a float (go-yaml falls back to strconv.ParseFloat);
 * - `1:20` stays a string: go-yaml does not implement YAML 1.1 base-60 integers;
 * - timestamps stay strings (go-yaml keeps them strings when decoding into interface{});
 * - merge keys (`<<: *base`) work.
 */
const intNoSexagesimalTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: intYaml11Tag.implicitFirstChars,
  resolve: (source, isExplicit, tagName) =>
    source.includes(':') ? NOT_RESOLVED : intYaml11Tag.resolve(source, isExplicit, tagName),
  identify: intYaml11Tag.identify,
  represent: intYaml11Tag.represent,
});

export const KUBERNETES_YAML_SCHEMA = new Schema([
  strTag,
  seqTag,
  mapTag,
  nullYaml11Tag,
  boolYaml11Tag,
  intNoSexagesimalTag,
  floatCoreTag,
  mergeTag,
]);

/**
 * YAML as kustomize reads the files it builds (resources, patches): kyaml decodes with go-yaml
 * v3, where only true/false (True, TRUE, ...) are booleans and `yes`/`no`/`on`/`off`/`y`/`n`
 * are strings; the rest as above (v3 still reads `0644` as octal). So `FEATURE: on` in a resource
 * of a kustomization is the text "on", which `kustomize build` prints quoted and Kubernetes
 * accepts: Flux, Argo CD and `kubectl apply -k` run it, and so must berth. The kustomization file
 * itself is not read with this (kustomize unmarshals it Kubernetes' way).
 */
export const KUSTOMIZE_YAML_SCHEMA = new Schema([
  strTag,
  seqTag,
  mapTag,
  nullYaml11Tag,
  boolCoreTag,
  intNoSexagesimalTag,
  floatCoreTag,
  mergeTag,
]);
