import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readInputs } from '../../action/src/action/inputs.js';
import type { ActionIo } from '../../action/src/action/run.js';
import { runRelease } from '../../action/src/action/run-release.js';
import { createDelivery } from '../../action/src/deliver/choose-delivery.js';
import type { CreateDelivery } from '../../action/src/deliver/delivery.js';
import { EgressError } from '../../action/src/shared/errors.js';
import { createRedactor } from '../../action/src/shared/redact.js';
import { makeTempDir } from '../pack/pack-fixtures.js';
import { createMemoryForge, makeReleaseRepo, mergeRequest, writeOutputFiles } from './release-fixtures.js';

/** runRelease in-process, as run.ts dispatches it, with adapters injected. */
function captureIo() {
  const redactor = createRedactor();
  const lines: string[] = [];
  const outputs: Record<string, string> = {};
  const io: ActionIo = {
    setSecret: (s) => redactor.add(s),
    setOutput: (k, v) => {
      outputs[k] = redactor.redact(v);
    },
    info: (m) => void lines.push(redactor.redact(m)),
    warning: (m) => void lines.push(redactor.redact(m)),
    annotate: () => undefined,
    writeSummary: async (m) => void lines.push(redactor.redact(m)),
    setFailed: (m) => void lines.push(`FAILED ${redactor.redact(m)}`),
    redact: (t) => redactor.redact(t),
  };
  return { io, lines, outputs };
}

async function setup(create: CreateDelivery) {
  const tmp = await makeTempDir('egress-release-action-');
  const repo = await makeReleaseRepo();
  await writeOutputFiles(join(tmp.dir, 'outputs'), repo.outputs);
  const forge = createMemoryForge();
  const merged = mergeRequest(forge, repo);
  const inputs = readInputs((name) =>
    name === 'token' ? 'token-1234567890' : name === 'signing-key' ? repo.signer.secretArmored : '',
  );
  const captured = captureIo();
  const run = () =>
    runRelease(
      {
        trigger: {
          kind: 'push',
          ref: 'refs/heads/main',
          branch: 'main',
          before: merged.base,
          after: merged.merge,
          created: false,
          deleted: false,
        },
        forge,
        inputs,
        context: {
          eventName: 'push',
          eventPath: '',
          repository: 'tre/egress',
          apiUrl: 'http://127.0.0.1:9',
          workspace: tmp.dir,
          env: { RUNNER_TEMP: join(tmp.dir, 'runner') },
        },
        io: captured.io,
        protectedBranch: 'main',
      },
      { createDelivery: create },
    );
  return { tmp, forge, merged, run, ...captured };
}

describe('runRelease (the action side of the release)', () => {
  test('a destination that keeps failing temporarily: the pull request says retry the job, the step fails as transient', async () => {
    const failing: CreateDelivery = (name, destination, context) => {
      const inner = createDelivery(name, destination, context);
      return {
        ...inner,
        readExisting: inner.readExisting.bind(inner),
        close: inner.close.bind(inner),
        deliver: async () => {
          throw new EgressError('DELIVERY', `connection to ${name} reset`, { transient: true });
        },
      };
    };
    const s = await setup(failing);
    await using _ = s.tmp;
    const error = await s.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EgressError);
    expect((error as EgressError).transient).toBe(true);
    expect((error as EgressError).message).toMatch(/retry the job/);
    const [comment] = s.forge.comments;
    expect(comment?.body).toMatch(/Retry the job/);
    expect(comment?.body).toMatch(/connection to researcher-disk reset/);
    expect(s.forge.labels.get(s.merged.number) ?? []).not.toContain('egress:delivered');
    expect(s.outputs['state']).toBe('not-delivered');
  });

  test('access links are masked in every line and posted only sealed', async () => {
    const secretUrl = 'https://blob.example/c/x?sv=2025&sig=CANARYSIGNATURE0123456789';
    const withLinks: CreateDelivery = (name, destination, context) => {
      const inner = createDelivery(name, destination, context);
      return {
        ...inner,
        readExisting: inner.readExisting.bind(inner),
        close: inner.close.bind(inner),
        async deliver(folder, files, progress) {
          const result = await inner.deliver(folder, files, progress);
          context.log?.(`delivered; link ${secretUrl}`);
          return {
            ...result,
            accessUrls: [{ remoteName: files[0]!.remoteName, url: secretUrl, expiresAt: 'x' }],
          };
        },
      };
    };
    const s = await setup(withLinks);
    await using _ = s.tmp;
    await s.run();
    expect(s.outputs['state']).toBe('delivered');
    const shown = [...s.lines, ...s.forge.comments.map((c) => c.body), JSON.stringify(s.outputs)].join('\n');
    expect(shown).not.toContain('CANARYSIGNATURE');
    expect(s.forge.comments[0]?.body).toContain('-----BEGIN PGP MESSAGE-----');
    expect(s.forge.labels.get(s.merged.number)).toContain('egress:delivered');
  });
});
