import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A small egress repository (trusted configuration + one request with its outputs) as path → text,
 * for the fake forge. The keys are real OpenPGP public keys (test-only, generated once); the
 * request pins the real SHA-256 and size of the outputs it adds.
 */
const key = (name: string) => readFileSync(new URL(`./keys/${name}.asc`, import.meta.url), 'utf8');

/** The outputs a request pull request adds with its manifest (under the configured outputs root). */
export const requestOutputs: Record<string, string> = {
  'outputs/report/summary.md': '# Summary\n\nAdmissions fell by 4% (95% CI 2–6%) between 2024 and 2025.\n',
};

function pinOf(text: string): { sha256: string; size: number } {
  return { sha256: createHash('sha256').update(text).digest('hex'), size: Buffer.byteLength(text) };
}

export const requestId = 'wp1-2026-report';
export const requestPath = `requests/${requestId}.yaml`;

export const baseFiles: Record<string, string> = {
  '.egress/config.yaml': `policy: turing-dsh
outputsRoot: outputs
destinations:
  researcher-disk:
    kind: physical
    path: delivered/researcher
`,
  '.egress/work-packages/wp1.yaml': `id: wp1
title: Admissions study
tier: 3
roles:
  investigator: [alice]
  data-provider-representative: [bob]
  referee: [carol]
  system-manager: [dora]
dataProvider:
  name: Example NHS Trust
  keys: [provider.asc]
  destinations: [researcher-disk]
destinations: [researcher-disk]
recipients: [investigator.asc]
`,
  '.egress/keys/provider.asc': key('provider'),
  '.egress/keys/investigator.asc': key('investigator'),
  'README.md': '# TRE egress repository\n',
};

/** `title` lets a test put hostile text where users can write. */
export function requestManifest(title = 'Figures for the admissions paper', note = ''): string {
  const pin = pinOf(requestOutputs['outputs/report/summary.md']!);
  return `id: ${requestId}
workPackage: wp1
title: ${JSON.stringify(title)}
purpose: Finish the paper outside the environment.${note}
requester: erin
collections:
  - name: report-inputs
    kind: report
    description: Text and the summary table needed to finish the report.
    destination: researcher-disk
    items:
      - path: report/summary.md
        sha256: ${pin.sha256}
        size: ${pin.size}
`;
}
