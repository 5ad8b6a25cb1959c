import type { Destination } from '../manifest/config-types.js';
import { createAzureBlobDelivery } from './azure-blob.js';
import type { Delivery, DeliveryContext } from './delivery.js';
import { createPhysicalDelivery } from './physical.js';
import { createSftpDelivery } from './sftp.js';

/** The adapter for a configured destination (the production `CreateDelivery`). */
export function createDelivery(name: string, destination: Destination, context: DeliveryContext): Delivery {
  switch (destination.kind) {
    case 'physical':
      return createPhysicalDelivery(destination, context);
    case 'azure-blob':
      return createAzureBlobDelivery(name, destination, context);
    case 'sftp':
      return createSftpDelivery(destination, context);
  }
}
