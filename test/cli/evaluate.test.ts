import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../action/src/cli/command.js';
import { runCli } from '../../action/src/cli/run.js';

const examples = new URL('../../examples', import.meta.url).pathname;

async function run(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    cwd,
    env: {},
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

interface JsonResult {
  passed: boolean;
  state: string;
  tier?: number;
  collections: {
    name: string;
    state: string;
    tier?: number;
    classifications: { role: string; user: string; tier: number }[];
    reasons: string[];
    missing: string[];
  }[];
  reasons: string[];
  diagnostics: { file: string; line: number; column: number; code: string; message: string }[];
}

describe('egress-gate evaluate on the examples (as examples/reviews says)', () => {
  const cases: {
    reviews: string;
    code: number;
    passed: boolean;
    states: Record<string, [string, number?]>;
    text: RegExp[];
  }[] = [
    {
      reviews: 'dsg-2026-03-final-outputs.cleared.yaml',
      code: 0,
      passed: true,
      states: { 'report-inputs': ['cleared', 1], 'data-provider-handover': ['cleared', 1] },
      text: [
        /passes, tier 1/,
        /review #1 by investigator @alice is superseded by their later review #3/,
        /@erin opened the pull request; the author's review #2 never counts/,
      ],
    },
    {
      reviews: 'dsg-2026-03-final-outputs.needs-discussion.yaml',
      code: 1,
      passed: false,
      states: { 'report-inputs': ['cleared', 1], 'data-provider-handover': ['needs-discussion'] },
      text: [
        /collection data-provider-handover: needs a discussion/,
        /with outcome no-agreement the highest tier, 2, applies/,
      ],
    },
    {
      reviews: 'dsg-2026-03-final-outputs.changes-requested.yaml',
      code: 1,
      passed: false,
      states: { 'report-inputs': ['changes-requested'], 'data-provider-handover': ['changes-requested'] },
      text: [
        /data provider representative @bob requested changes \(review #4 on 5f3c9e1\)/,
        /@erin merged the pull request but is not a system manager/,
      ],
    },
    {
      reviews: 'dsg-2026-03-summary-statistics.yaml',
      code: 0,
      passed: true,
      states: { 'cohort-summary': ['cleared', 0] },
      text: [/only investigator and referee must classify/],
    },
  ];

  it.each(cases)('$reviews', async (c) => {
    const manifest = `requests/${c.reviews.replace(/\..*$/, '')}.yaml`;
    const json = await run(['evaluate', manifest, '--reviews', `reviews/${c.reviews}`, '--json'], examples);
    expect(json.code, json.stderr).toBe(c.code);
    const result = JSON.parse(json.stdout) as JsonResult;
    expect(result.passed).toBe(c.passed);
    const states = Object.fromEntries(
      result.collections.map((k) => [k.name, k.tier === undefined ? [k.state] : [k.state, k.tier]]),
    );
    expect(states).toEqual(c.states);
    for (const k of result.collections) {
      for (const x of k.classifications)
        expect(Object.keys(x)).toEqual(expect.arrayContaining(['role', 'user', 'tier']));
    }
    const text = await run(['evaluate', manifest, '--reviews', `reviews/${c.reviews}`], examples);
    expect(text.code).toBe(c.code);
    for (const pattern of c.text) expect(text.stdout).toMatch(pattern);
  });
});

describe('egress-gate evaluate: usage, configuration and invalid requests', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'egress-evaluate-'));
    await cp(examples, repo, { recursive: true });
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });
  const manifest = 'requests/dsg-2026-03-final-outputs.yaml';
  const cleared = 'reviews/dsg-2026-03-final-outputs.cleared.yaml';

  it('refuses a missing --reviews, two manifests and unknown options with exit 2', async () => {
    for (const argv of [
      ['evaluate', manifest],
      ['evaluate', manifest, manifest, '--reviews', cleared],
      ['evaluate', manifest, '--reviews', cleared, '--bogus'],
    ]) {
      const r = await run(argv, repo);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/egress-gate evaluate: /);
    }
  });

  it('reports an unreadable reviews file with exit 2', async () => {
    const r = await run(['evaluate', manifest, '--reviews', 'nope.yaml'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the reviews file .*nope.yaml/);
  });

  it('locates problems in the reviews file at line:col', async () => {
    await writeFile(
      join(repo, 'bad-reviews.yaml'),
      'author: erin\nhead: 5f3c9e1\nreviews:\n  - user: bob\n    state: LOOKS_GOOD\n    commit: 5f3c9e1\n',
    );
    const r = await run(['evaluate', manifest, '--reviews', 'bad-reviews.yaml'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-reviews.yaml:5:12: invalid-value: .*'LOOKS_GOOD'.*APPROVED/);
  });

  it('an all-digit commit is read as written, not as a number', async () => {
    await writeFile(
      join(repo, 'digits.yaml'),
      'author: erin\nhead: 1234567\nreviews:\n' +
        ['alice', 'bob', 'carol']
          .map((u) => `  - {user: ${u}, state: approved, commit: 1234567, body: "tier: 0"}\n`)
          .join(''),
    );
    const r = await run(['evaluate', manifest, '--reviews', 'digits.yaml', '--json'], repo);
    expect(r.code, r.stderr).toBe(0);
  });

  it('an invalid manifest does not pass: exit 1 with its diagnostics', async () => {
    const text = await readFile(join(repo, manifest), 'utf8');
    await writeFile(
      join(repo, 'requests/broken.yaml'),
      text.replace('id: dsg-2026-03-final-outputs', 'id: broken\nbogus: 1'),
    );
    const r = await run(['evaluate', 'requests/broken.yaml', '--reviews', cleared, '--json'], repo);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as JsonResult;
    expect(result.passed).toBe(false);
    expect(result.diagnostics.some((d) => d.code === 'unknown-field' && d.line > 0)).toBe(true);
  });

  it('a changed output (pin mismatch) does not pass; --skip-pins leaves pins to delivery', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'egress-evaluate-pins-'));
    try {
      await cp(examples, copy, { recursive: true });
      await writeFile(join(copy, 'outputs/report/text/findings.md'), 'changed after review\n');
      const r = await run(['evaluate', manifest, '--reviews', cleared], copy);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/hash-mismatch/);
      const skipped = await run(['evaluate', manifest, '--reviews', cleared, '--skip-pins'], copy);
      expect(skipped.code).toBe(0);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it("verifies pins from the disclosure checks' read, saying exactly what validate says", async () => {
    // evaluate takes each file's SHA-256 from the checks' single read: a changed file, a size
    // pin edited by hand, and the same with another error in the manifest (then nothing is
    // scanned and the pins are hashed directly) must read as validate reports them.
    const copy = await mkdtemp(join(tmpdir(), 'egress-evaluate-pins-'));
    try {
      await cp(examples, copy, { recursive: true });
      await writeFile(join(copy, 'outputs/report/text/findings.md'), 'changed after review\n');
      const text = await readFile(join(copy, manifest), 'utf8');
      await writeFile(join(copy, manifest), text.replace('size: 297', 'size: 298'));
      await writeFile(
        join(copy, 'requests/also-broken.yaml'),
        // The id no longer equals the file name: a semantic error, so the pins are still checked.
        text.replace('size: 297', 'size: 298'),
      );
      for (const request of [manifest, 'requests/also-broken.yaml']) {
        const validated = await run(['validate', request, '--json'], copy);
        const evaluated = await run(['evaluate', request, '--reviews', cleared, '--json'], copy);
        expect(evaluated.code).toBe(1);
        const codes = (JSON.parse(validated.stdout) as JsonResult).diagnostics.map((d) => d.code);
        expect(codes).toEqual(expect.arrayContaining(['hash-mismatch', 'size-mismatch']));
        if (request !== manifest) expect(codes.length).toBeGreaterThan(2);
        expect((JSON.parse(evaluated.stdout) as JsonResult).diagnostics).toEqual(
          (JSON.parse(validated.stdout) as JsonResult).diagnostics,
        );
      }
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('no-agreement at tier 2 resolves to the highest tier and is blocked, naming each missing requirement', async () => {
    const text = await readFile(join(repo, manifest), 'utf8');
    const discussion = [
      '    discussion:',
      '      date: 2026-03-20',
      '      attendees:',
      '        - {user: alice, role: investigator}',
      '        - {user: bob, role: data-provider-representative}',
      '        - {user: carol, role: referee}',
      '      outcome: no-agreement',
      '    provenance:',
    ].join('\n');
    await writeFile(
      join(repo, 'requests/discussed.yaml'),
      text.replace('id: dsg-2026-03-final-outputs', 'id: discussed').replace('    provenance:', discussion),
    );
    const r = await run(
      [
        'evaluate',
        'requests/discussed.yaml',
        '--reviews',
        'reviews/dsg-2026-03-final-outputs.needs-discussion.yaml',
        '--json',
      ],
      repo,
    );
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const result = JSON.parse(r.stdout) as JsonResult;
    const handover = result.collections.find((c) => c.name === 'data-provider-handover')!;
    expect(handover.state).toBe('blocked');
    expect(handover.tier).toBe(2);
    expect(handover.reasons.join('\n')).toMatch(
      /reached no agreement, so the highest proposed tier, 2, applies/,
    );
    expect(handover.missing.join('\n')).toMatch(/every item needs a treatment/);
    expect(handover.missing.join('\n')).toMatch(/written notification must be recorded/);
  });

  it('a policy path in the configuration is loaded from the repository; an unknown name is a configuration error', async () => {
    const config = await readFile(join(repo, '.egress/config.yaml'), 'utf8');
    const policy = await readFile(new URL('../../policies/turing-dsh.yaml', import.meta.url), 'utf8');
    // A stricter institution: tier 1 needs a discussion too.
    await writeFile(join(repo, 'strict.yaml'), policy.replace('releaseMaxTier: 1', 'releaseMaxTier: 0'));
    await writeFile(
      join(repo, '.egress/config.yaml'),
      config.replace(/^policy: .*$/m, 'policy: strict.yaml'),
    );
    const strict = await run(['evaluate', manifest, '--reviews', cleared, '--json'], repo);
    expect(strict.code).toBe(1);
    expect((JSON.parse(strict.stdout) as JsonResult).collections[0]!.state).toBe('needs-discussion');

    await writeFile(join(repo, '.egress/config.yaml'), config.replace(/^policy: .*$/m, 'policy: nowhere'));
    const unknown = await run(['evaluate', manifest, '--reviews', cleared], repo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/'nowhere' is not a built-in policy \(built-in: turing-dsh\)/);
    await writeFile(join(repo, '.egress/config.yaml'), config);
  });

  it('a blocking disclosure rule in the policy blocks on the scanned outputs; --skip-pins does not clear', async () => {
    const config = await readFile(join(repo, '.egress/config.yaml'), 'utf8');
    const policy = await readFile(new URL('../../policies/turing-dsh.yaml', import.meta.url), 'utf8');
    // Every count in the example tables is below this threshold.
    await writeFile(
      join(repo, 'strict.yaml'),
      policy
        .replace(/^name: .*$/m, 'name: strict')
        .replace(
          'small-cell: { severity: advice, threshold: 10 }',
          'small-cell: { severity: blocking, threshold: 1000000 }',
        ),
    );
    await writeFile(
      join(repo, '.egress/config.yaml'),
      config.replace(/^policy: .*$/m, 'policy: strict.yaml'),
    );
    try {
      const r = await run(['evaluate', manifest, '--reviews', cleared, '--json'], repo);
      expect(r.code).toBe(1);
      const result = JSON.parse(r.stdout) as JsonResult;
      expect(result.passed).toBe(false);
      expect(result.state).toBe('blocked');
      expect(result.collections.flatMap((c) => c.reasons).join('\n')).toContain(
        "disclosure rule 'small-cell' is blocking in policy strict",
      );
      const skipped = await run(['evaluate', manifest, '--reviews', cleared, '--skip-pins'], repo);
      expect(skipped.code).toBe(1);
      expect(skipped.stdout).toMatch(
        /policy strict makes rule 'small-cell' blocking, and the outputs were not scanned here/,
      );
    } finally {
      await writeFile(join(repo, '.egress/config.yaml'), config);
    }
  });
});
