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
  '.egress/keys/provider.asc':
    '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nplaceholder\n-----END PGP PUBLIC KEY BLOCK-----\n',
  '.egress/keys/investigator.asc':
    '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nplaceholder\n-----END PGP PUBLIC KEY BLOCK-----\n',
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
