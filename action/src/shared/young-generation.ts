import { setFlagsFromString } from 'node:v8';

/**
 * Keep V8's young generation at the size it has now, for the rest of the process and the worker
 * threads it starts afterwards. V8 doubles the young generation whenever many objects survive a
 * collection, and the doubled pages stay resident: through a multi-GiB package, the few small
 * objects each chunk leaves behind made peak RSS grow with the size of the data. The action cannot
 * be started with `--max-semi-space-size`, and V8 raises a growth factor below 2 given on the
 * command line, but one set at run time is read again at every collection.
 *
 * Call it late: once a flag has changed, Node 24 no longer uses its built-in code cache (a worker
 * starting afterwards takes ~80 ms longer), and from the start it made `validate` on 20,000 files
 * ~0.1 s slower (more scavenges while the request is parsed). Packing calls it once its encryption
 * thread runs.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
