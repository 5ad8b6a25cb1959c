import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The embedded defaults behind `egress-gate demo`: the seeds' Data Study Group case study as a
 * complete egress repository, written into a fresh folder. The keys are generated per run.
 */
export interface DemoKeys {
  /** Armored public keys, by file name under `.egress/keys/`. */
  publicKeys: Record<'egress-signing.asc' | 'investigator.asc' | 'data-provider.asc', string>;
}

export const demoRequestId = 'dsg-2026-demo-egress';
export const demoRequestPath = `requests/${demoRequestId}.yaml`;

const config = `# egress-gate configuration (trusted: read from the base branch)
policy: turing-dsh
outputsRoot: outputs
signingKey: egress-signing.asc
destinations:
  researcher-disk:
    kind: physical
    path: delivered/researcher
    description: Encrypted disk handed to the investigator for report writing
  provider-disk:
    kind: physical
    path: delivered/data-provider
    description: Encrypted disk returned to the original data provider
`;

const workPackage = `id: dsg-2026-demo
title: Data Study Group demo — hospital admissions
tier: 3
roles:
  investigator: [alice]
  data-provider-representative: [bob]
  referee: [carol]
  system-manager: [dora]
dataProvider:
  name: Example NHS Trust
  keys: [data-provider.asc]
  destinations: [provider-disk]
destinations: [researcher-disk, provider-disk]
recipients: [investigator.asc]
`;

const outputs: Record<string, string> = {
  'report/summary.md':
    '# Admissions study\n\nWeekly admissions fell by 8% after the intervention (see table 1).\n',
  'report/table-1.csv': 'region,admissions_2025,admissions_2026\nNorth,1250,1163\nSouth,980,902\n',
  'code/aggregate.py':
    'import csv, sys\n# Aggregates admissions by region and year; small counts are suppressed upstream.\n' +
    'rows = list(csv.DictReader(open(sys.argv[1])))\nprint(len(rows))\n',
  'derived/admissions-by-week.csv':
    'week,region,admissions\n2026-W01,North,101\n2026-W01,South,87\n2026-W02,North,95\n2026-W02,South,79\n',
};

const manifest = `# An egress request: two collections, classified and delivered separately.
id: ${demoRequestId}
workPackage: dsg-2026-demo
title: Final outputs of the admissions study
purpose: Finish the report outside the environment and hand all outputs back to the provider.
requester: erin
collections:
  - name: report-inputs
    kind: report
    description: Text and the summary table needed to finish the report.
    destination: researcher-disk
    items:
      - path: report
  - name: data-provider-handover
    kind: derived-dataset
    description: The derived weekly dataset and the code that produced it, returned for archiving.
    destination: provider-disk
    provenance:
      code: [code/aggregate.py]
      command: python code/aggregate.py extract.csv
    items:
      - path: derived/admissions-by-week.csv
      - path: code/aggregate.py
`;

/** Writes the demo repository (unlocked: the demo locks it, as a researcher would). */
export async function writeDemoRepository(root: string, keys: DemoKeys): Promise<void> {
  const files: Record<string, string> = {
    '.egress/config.yaml': config,
    '.egress/work-packages/dsg-2026-demo.yaml': workPackage,
    [demoRequestPath]: manifest,
    ...Object.fromEntries(Object.entries(outputs).map(([path, text]) => [`outputs/${path}`, text])),
    ...Object.fromEntries(
      Object.entries(keys.publicKeys).map(([name, text]) => [`.egress/keys/${name}`, text]),
    ),
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** The three approvals a demo run simulates, in the reviews-file shape of SPEC §6. */
export function demoReviewsFile(head: string): string {
  return `author: erin
head: ${head}
merger: dora
reviews:
  - user: bob
    state: APPROVED
    commit: ${head}
    body: |
      Checked the table and the derived dataset against the agreed aggregation.
      tier: 1
  - user: carol
    state: APPROVED
    commit: ${head}
    body: "tier: 1"
  - user: alice
    state: APPROVED
    commit: ${head}
    body: "tier: 1"
  - user: erin
    state: APPROVED
    commit: ${head}
    body: "tier: 0 (the requester's own approval never counts)"
  - user: dora
    state: COMMENTED
    commit: ${head}
    body: Will deliver on merge.
`;
}
