import type { Destination } from '../manifest/config-types.js';
import { EgressError } from '../shared/errors.js';
import { createAzureBlobDelivery } from './azure-blob.js';
import type { Delivery, DeliveryContext } from './delivery.js';
import { createPhysicalDelivery } from './physical.js';

/** The adapter for a configured destination (the production `CreateDelivery`). */
export function createDelivery(name: string, destination: Destination, context: DeliveryContext): Delivery {
  switch (destination.kind) {
    case 'physical':
      return createPhysicalDelivery(destination, context.repoRoot);
    case 'azure-blob':
      return createAzureBlobDelivery(name, destination, context);
    case 'sftp':
      throw new EgressError(
        'CONFIG',
        `destination '${name}' is of kind ${destination.kind}, which this version of egress-gate cannot deliver to yet; use a physical destination, or deliver the package by hand`,
      );
  }
}
