/**
 * Bounds that keep hostile or accidental input (SPEC §2: alias bombs, deep nesting, huge or
 * binary files) from hanging berth or exhausting its memory. Documented in docs/manifests.md.
 */

/** Largest manifest file berth parses. Kubernetes caps a whole request at 3 MiB; 8 MiB leaves room for Lists. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** Deepest collection nesting, counted through aliases. Real manifests stay below 20. */
export const MAX_DEPTH = 100;

/**
 * How many nodes aliases may add to a file when expanded. Constructing an alias is free
 * (js-yaml shares the object), but every later walk (schema, checks, defaults, hashing) visits
 * the expansion, so a "billion laughs" file is rejected from the event stream before any of that.
 */
export const MAX_ALIAS_EXPANSION = 1_000_000;

/** Keys merged with `<<` across one file (js-yaml's own budget for merge copies). */
export const MAX_MERGE_KEYS = 10_000;

/** Kubernetes' limit on the total size of an object's annotations (TotalAnnotationSizeLimitB). */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
