import { expect } from 'vitest';
import { parseManifestFile } from '../../../src/manifests/parse.js';
import type { ParsedDocument } from '../../../src/manifests/parse.js';
import type { Path } from '../../../src/manifests/path.js';
import { Provenance } from '../../../src/manifests/kustomize/provenance.js';
import type { ReportAt } from '../../../src/manifests/kustomize/types.js';

/** One YAML document parsed as the build parses files, its nodes marked with their origin. */
export function source(prov: Provenance, file: string, text: string): ParsedDocument {
  const { documents, problems } = parseManifestFile({ path: file, content: Buffer.from(text) });
  expect(problems).toEqual([]);
  const doc = documents[0]!;
  prov.mark(doc.value, { doc, path: [] });
  return doc;
}

export interface Reported {
  path: Path;
  message: string;
}

/** A ReportAt that records what it is told. */
export function recorder(): { report: ReportAt; reported: Reported[] } {
  const reported: Reported[] = [];
  return { report: (path, message) => reported.push({ path, message }), reported };
}
