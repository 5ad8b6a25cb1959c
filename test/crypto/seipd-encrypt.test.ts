import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CfbWorker } from '../../action/src/crypto/cfb-worker.js';
import { prepareOwnSeipd } from '../../action/src/crypto/encrypt.js';
import { PART_BYTES } from '../../action/src/crypto/packet-framing.js';
import { type AsyncSink, encryptChunksOwnSeipd } from '../../action/src/crypto/seipd-encrypt.js';
import { makeTestKey } from '../pack/pack-fixtures.js';

// `onEncrypting` is where packing stops V8 growing its young generation: it must fire once, and
// only after the encryption thread has answered (it then runs, its built-ins loaded).
describe('encryptChunksOwnSeipd tells when the encryption thread has answered', () => {
  async function encryptWith(bytes: number, failFirst = false) {
    const events: string[] = [];
    const worker: CfbWorker = {
      encrypt(pieces) {
        events.push('sent');
        return new Promise((resolve, reject) =>
          setTimeout(() => {
            if (failFirst) reject(new Error('the encryption thread failed'));
            else {
              events.push('returned');
              resolve(pieces);
            }
          }, 2),
        );
      },
      finish: async () => ({ ciphertext: [new Uint8Array(22)], busyMs: 0 }),
      close: async () => undefined,
    };
    const sink: AsyncSink = {
      writeAsync: async () => undefined,
      settle: async () => undefined,
      sha256: () => '',
      size: () => 0,
      writeMs: () => 0,
    };
    const recipient = await makeTestKey('Recipient');
    const own = await prepareOwnSeipd([recipient.publicKey], undefined, new Date());
    const data = randomBytes(bytes);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += PART_BYTES) chunks.push(data.subarray(at, at + PART_BYTES));
    const outcome = await encryptChunksOwnSeipd({
      chunks: chunks[Symbol.iterator](),
      dataBytes: data.length,
      own: own!,
      worker,
      sink,
      filename: 'x.bin',
      date: new Date('2026-03-01T12:00:00Z'),
      onEncrypting: () => events.push('encrypting'),
    }).then(
      () => 'encrypted',
      (error: Error) => error.message,
    );
    return { outcome, events };
  }

  it('once, after the first chunk came back, for a package of several chunks', async () => {
    const { outcome, events } = await encryptWith(6 * PART_BYTES + 5);
    expect(outcome).toBe('encrypted');
    expect(events.filter((e) => e === 'encrypting')).toHaveLength(1);
    expect(events.indexOf('encrypting')).toBeGreaterThan(events.indexOf('returned'));
  });

  it('once for an empty package (its one chunk is the closing one)', async () => {
    const { outcome, events } = await encryptWith(0);
    expect(outcome).toBe('encrypted');
    expect(events).toEqual(['sent', 'returned', 'encrypting']);
  });

  it('never, when the first chunk fails', async () => {
    const { outcome, events } = await encryptWith(3 * PART_BYTES, true);
    expect(outcome).toBe('the encryption thread failed');
    expect(events).not.toContain('encrypting');
  });
});
