/**
 * A real Azurite blob service for tests, on 127.0.0.1 only, started and stopped by the test.
 *
 *   await using azurite = await startAzurite();            // in memory, fresh per suite
 *   await using azurite = await startAzurite({ onDisk: true }); // survives kill() + restart()
 *
 * In memory by default (Azurite frees deleted blobs only on a 10-minute timer, so an on-disk
 * instance shared by suites grows without bound). The on-disk variant keeps its workspace in a
 * temporary folder and restarts on the same port, for fault tests that kill the server mid-upload.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const azuriteAccountName = 'devstoreaccount1';
/** Azurite's well-known development key (public, documented by Microsoft; not a secret). */
export const azuriteAccountKey =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Keep blobs in a temporary folder so that they survive `kill()` + `restart()` (same port). */
  onDisk?: boolean;
}

export interface Azurite extends AsyncDisposable {
  readonly connectionString: string;
  readonly accountName: string;
  readonly accountKey: string;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly blobEndpoint: string;
  readonly port: number;
  /** Process id of the running server (the bench reads its CPU time). */
  readonly pid: number | undefined;
  /**
   * Stops the server; resolves once it has exited. SIGKILL (default) is a crash: on disk, Azurite
   * saves its metadata every 5 s, so blocks acknowledged just before are forgotten. SIGTERM drops
   * every connection mid-request but keeps what it acknowledged, as Azure itself would.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (and, on disk, the same workspace). */
  restart(): Promise<void>;
}

// Resolved through the package, not a relative path, so the bench can bundle this file.
const main = join(
  dirname(createRequire(import.meta.url).resolve('azurite/package.json')),
  'dist/src/blob/main.js',
);
const listening = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/;

function launch(port: number, location: string | undefined): Promise<{ child: ChildProcess; port: number }> {
  const args = [
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(port),
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--silent',
    ...(location === undefined ? ['--inMemoryPersistence'] : ['--location', location]),
  ];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = listening.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        child.off('exit', onExit);
        done({ child, port: Number(match[1]) });
      }
    };
    const onExit = (code: number | null) =>
      fail(new Error(`azurite-blob exited (${code}) before listening:\n${output.slice(-2000)}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', fail);
    child.once('exit', onExit);
  });
}

/** Sends `signal`; anything but SIGKILL is followed by SIGKILL if the process is still there after 10 s. */
function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const escalate = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(escalate);
      done();
    });
    child.kill(signal);
  });
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const location = options.onDisk ? await mkdtemp(join(tmpdir(), 'egress-azurite-')) : undefined;
  let { child, port } = await launch(0, location);
  // A kill in progress (SIGTERM lets Azurite save its metadata): restart and dispose wait for it.
  let stopping: Promise<void> | undefined;
  const blobEndpoint = `http://127.0.0.1:${port}/${azuriteAccountName}`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${azuriteAccountName};AccountKey=${azuriteAccountKey};BlobEndpoint=${blobEndpoint};`,
    accountName: azuriteAccountName,
    accountKey: azuriteAccountKey,
    blobEndpoint,
    port,
    get pid() {
      return child.pid;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      stopping = stop(child, signal);
      await stopping;
    },
    async restart() {
      await stopping;
      stopping = undefined;
      await stop(child, 'SIGKILL');
      ({ child, port } = await launch(port, location));
    },
    async [Symbol.asyncDispose]() {
      await stopping;
      await stop(child, 'SIGKILL');
      if (location !== undefined) await rm(location, { recursive: true, force: true });
    },
  };
}
