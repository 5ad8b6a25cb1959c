import { expect } from 'vitest';
import type { Delivery, DeliveryFile } from '../../action/src/deliver/delivery.js';

/**
 * What every adapter must do for an interrupted delivery to be completed: say what a final name
 * holds without changing it, and remove a pending receipt, never anything else. `listed` reads
 * the folder straight from the destination (not through the adapter).
 */
export async function expectHoldsAndRemovePending(
  delivery: Delivery,
  folder: string,
  source: (name: string, content: string) => Promise<DeliveryFile>,
  listed: () => Promise<string[]>,
): Promise<void> {
  const pkg = await source(`${folder}-x.tar.gpg`, 'the package');
  const pending = await source(`${folder}-x.tar.gpg.receipt.pending.asc`, 'the pending receipt');
  expect(await delivery.holds(folder, pkg)).toBe('absent');
  await delivery.deliver(folder, [pending, pkg]);
  expect(await delivery.holds(folder, pkg)).toBe('same');
  expect(await delivery.holds(folder, { ...pkg, sha256: 'f'.repeat(64) })).toBe('different');
  expect(await delivery.holds(folder, { ...pkg, size: pkg.size + 1 })).toBe('different');
  expect(await delivery.holds(folder, { ...pkg, remoteName: `${folder}-y.tar.gpg` })).toBe('absent');
  expect(await delivery.holds(`${folder}-never`, pkg)).toBe('absent');

  await expect(delivery.removePending(folder, pkg.remoteName)).rejects.toThrow(/not a pending receipt/);
  for (const other of [
    `${pkg.remoteName}.receipt.asc`,
    `.${pkg.remoteName}.${'0'.repeat(16)}.partial`,
    '.receipt.pending.asc',
  ]) {
    await expect(delivery.removePending(folder, other)).rejects.toThrow(/not a pending receipt/);
  }
  expect((await listed()).sort()).toEqual([pkg.remoteName, pending.remoteName].sort());
  await delivery.removePending(folder, pending.remoteName);
  // Gone already, or never there: nothing to do.
  await delivery.removePending(folder, pending.remoteName);
  await delivery.removePending(`${folder}-never`, pending.remoteName);
  expect(await listed()).toEqual([pkg.remoteName]);
  expect(await delivery.holds(folder, pkg)).toBe('same');
}
