import { checkLabelKey, checkLabelValue } from '../../model/names.js';
import type { Selector } from '../../model/selectors.js';
import { formatSelector, matches, selectorFromLabelSelector, selectorFromMap } from '../../model/selectors.js';
import type { LabelSelector } from '../../model/types.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import { checkLabels } from './metadata.js';
import { arr, isRecord, rec, str, stringMap } from './values.js';
import { clipList, quote } from '../../model/excerpt.js';

/**
 * A `matchLabels`/`matchExpressions` selector: label syntax and operator rules
 * (apimachinery ValidateLabelSelectorRequirement). Returns the selector when it is usable
 * for matching, else undefined.
 */
export function checkLabelSelector(value: unknown, path: Path, r: Reporter): Selector | undefined {
  const sel = rec(value);
  if (!sel) return undefined;
  checkLabels(sel.matchLabels, [...path, 'matchLabels'], r);
  let usable = true;
  arr(sel.matchExpressions).forEach((e, i) => {
    const req = rec(e);
    if (!req) return;
    const at = [...path, 'matchExpressions', i];
    const key = str(req.key);
    if (key !== undefined) {
      const err = checkLabelKey(key);
      if (err) r.report('invalid-label', [...at, 'key'], `label key ${quote(key)} is invalid: ${err}`);
    }
    const op = str(req.operator);
    const values = arr(req.values);
    if ((op === 'In' || op === 'NotIn') && values.length === 0) {
      r.report('invalid-selector', [...at, 'values'], `operator ${op} needs at least one value`, { locate: at });
      usable = false;
    }
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
      r.report('invalid-selector', [...at, 'values'], `operator ${op} must not have values`, { at: 'key' });
      usable = false;
    }
    values.forEach((v, j) => {
      if (typeof v !== 'string') return;
      const err = checkLabelValue(v);
      if (err) r.report('invalid-label', [...at, 'values', j], `label value ${quote(v)} is invalid: ${err}`);
    });
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op ?? '') || key === undefined) usable = false;
  });
  const matchLabels = sel.matchLabels;
  if (matchLabels !== undefined && !isRecord(matchLabels)) usable = false;
  return usable ? selectorFromLabelSelector(sel as LabelSelector) : undefined;
}

/**
 * A controller must select the pods it creates: a selector that does not match the template's
 * labels would make it create pods forever (Kubernetes rejects it for the same reason).
 */
export function checkSelectorMatchesTemplate(selector: Selector, selectorPath: Path, templateLabels: unknown, r: Reporter): void {
  const labels = stringMap(templateLabels);
  if (matches(selector, labels)) return;
  const shown = clipList(Object.entries(labels).map(([k, v]) => `${k}=${v}`)) || '(none)';
  r.report('selector-mismatch', selectorPath, `selector ${clipList(selector.map((req) => formatSelector([req])))} does not match the pod template's labels ${shown}`);
}

/** ReplicationController and Service selectors are plain label maps. */
export function checkMapSelector(value: unknown, path: Path, r: Reporter): Selector | undefined {
  if (!isRecord(value)) return undefined;
  checkLabels(value, path, r);
  return selectorFromMap(stringMap(value));
}
