import { readFileSync } from 'node:fs';

const exampleKey = (name: string) =>
  readFileSync(new URL(`../../examples/.egress/keys/${name}`, import.meta.url), 'utf8');

/** A small egress repository (trusted configuration + one request) as path → text, for the fake forge. */
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
  // Real public keys: key files are parsed when the configuration is loaded.
  '.egress/keys/provider.asc': exampleKey('data-provider.asc'),
  '.egress/keys/investigator.asc': exampleKey('investigator.asc'),
  'README.md': '# TRE egress repository\n',
};

/** `title` lets a test put hostile text where users can write. */
export function requestManifest(title = 'Figures for the admissions paper', note = ''): string {
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
        sha256: ${'a'.repeat(64)}
        size: 120
`;
}
