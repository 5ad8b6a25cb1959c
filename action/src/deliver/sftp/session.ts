/**
 * One SSH connection with its SFTP channel: the pinned host key is checked before anything is
 * authenticated, only public-key authentication is offered, and SSH/SFTP errors are translated
 * into `EgressError`s that say whether a retry can help.
 */
import { createHash } from 'node:crypto';
import type { SFTPWrapper, Client as SshClient } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import type { SftpDestination } from '../../manifest/config-types.js';
import { EgressError } from '../../shared/errors.js';

export interface SftpSession {
  client: SftpClient;
  sftp: SFTPWrapper;
  /** True once the connection closed or failed: every later operation fails, a retry reconnects. */
  readonly lost: boolean;
  /** A second SFTP channel on the same connection (its own server process on OpenSSH), opened once. */
  sideChannel(): Promise<SFTPWrapper>;
  end(): Promise<void>;
}

export interface SftpCredentials {
  privateKey?: string;
  passphrase?: string;
}

/** `SHA256:` + unpadded base64 of the SHA-256 of the raw host key: what `ssh-keygen -lf` prints. */
export function fingerprintHostKey(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name at the start of an SSH public key blob (e.g. `ssh-ed25519`). */
function keyType(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + Math.min(length, 64)).toString('latin1');
}

/** `user@host:port`, for messages. */
export function describeTarget(destination: SftpDestination): string {
  const host = destination.host.includes(':') ? `[${destination.host}]` : destination.host;
  return `${destination.user}@${host}:${destination.port}`;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_NOT_CONNECTED',
]);

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7) that mean the server said no, not that it went away. */
const SFTP_STATUS: Record<number, string> = {
  2: 'no such file',
  3: 'permission denied (the login may be read-only, or lack write access to remoteDir)',
  4: 'failure (for example, no space left on the server)',
  8: 'operation unsupported',
};

/**
 * An `EgressError` for anything an SSH or SFTP call threw. `lost` says whether the connection
 * was gone at the time: then a retry (a new connection) may succeed.
 */
export function translateSftpError(error: unknown, what: string, lost: boolean): EgressError {
  if (error instanceof EgressError) return error;
  const record = (error ?? {}) as { code?: unknown; level?: unknown; message?: unknown };
  const message = typeof record.message === 'string' ? record.message : String(error);
  const code = record.code;
  const status = typeof code === 'number' ? SFTP_STATUS[code] : undefined;
  const transient =
    lost ||
    (typeof code === 'string' && TRANSIENT_CODES.has(code)) ||
    record.level === 'client-timeout' ||
    record.level === 'client-socket';
  const reason = status ? `the server answered ${status}` : message;
  return new EgressError('DELIVERY', `${what}: ${reason}`, { cause: error, transient });
}

export interface OpenSessionOptions {
  destination: SftpDestination;
  credentials: SftpCredentials;
  /** Seconds without an answer before the connection counts as lost. */
  timeoutSeconds?: number;
}

/**
 * Connects, verifies the host key against the pin (a mismatch drops the connection during key
 * exchange: no authentication is attempted, nothing is sent), then authenticates with the key.
 */
export async function openSftpSession(options: OpenSessionOptions): Promise<SftpSession> {
  const { destination, credentials } = options;
  const target = describeTarget(destination);
  if (!credentials.privateKey) {
    throw new EgressError(
      'CONFIG',
      `sftp destination ${target} needs a private key: set the sftp-private-key secret (an OpenSSH private key authorized for ${destination.user})`,
    );
  }
  let lost = false;
  let presented: { fingerprint: string; type: string } | undefined;
  let hostKeyOk = false;
  const markLost = () => {
    lost = true;
  };
  // The library's own global callbacks fire only for events no call is waiting on: listen directly.
  const quiet = () => undefined;
  const client = new SftpClient('egress-gate', { error: quiet, end: quiet, close: quiet });
  client.on('error', markLost);
  client.on('end', markLost);
  client.on('close', markLost);
  const ssh = (client as unknown as { client: SshClient }).client;
  const timeoutMs = (options.timeoutSeconds ?? 20) * 1000;
  let sftp: SFTPWrapper;
  try {
    sftp = await client.connect({
      host: destination.host,
      port: destination.port,
      username: destination.user,
      privateKey: credentials.privateKey,
      ...(credentials.passphrase ? { passphrase: credentials.passphrase } : {}),
      // Key authentication only: no `none` probe, no password, no agent, no keyboard-interactive.
      authHandler: ['publickey'],
      tryKeyboard: false,
      readyTimeout: timeoutMs,
      keepaliveInterval: Math.max(1000, Math.floor(timeoutMs / 4)),
      keepaliveCountMax: 4,
      hostVerifier: (key: Buffer) => {
        const fingerprint = fingerprintHostKey(key);
        presented = { fingerprint, type: keyType(key) };
        hostKeyOk = fingerprint === destination.hostKeyFingerprint;
        return hostKeyOk;
      },
    });
  } catch (error) {
    ssh.destroy();
    if (presented && !hostKeyOk) {
      throw new EgressError(
        'DELIVERY',
        `sftp server ${target} presented host key ${presented.fingerprint} (${presented.type}), but the destination pins ${destination.hostKeyFingerprint}; the connection was dropped before authenticating and nothing was sent. If the server's key really changed, confirm the new fingerprint with its administrator (ssh-keyscan -t ${presented.type} … | ssh-keygen -lf -) and update hostKeyFingerprint in .egress/config.yaml`,
        { cause: error },
      );
    }
    const record = (error ?? {}) as { level?: unknown; message?: unknown };
    const message = String(record.message ?? error);
    if (record.level === 'client-authentication' || /authentication methods failed/i.test(message)) {
      throw new EgressError(
        'DELIVERY',
        `sftp server ${target} refused the key for ${destination.user} (authentication failed); nothing was uploaded. Check that the sftp-private-key secret holds the key authorized for that login and that the key has not expired or been revoked`,
        { cause: error },
      );
    }
    if (/private ?key|passphrase/i.test(message) && !presented) {
      throw new EgressError(
        'CONFIG',
        `the sftp-private-key secret for ${target} could not be read as an OpenSSH private key (or its passphrase, sftp-private-key-passphrase, is wrong or missing)`,
      );
    }
    // Refused, reset or timed out before the session was up: the server may be back soon.
    throw translateSftpError(error, `could not connect to sftp server ${target}`, true);
  }
  // Sequential uploads write many small packets: without this, Nagle's algorithm caps them at ~2 MB/s.
  ssh.setNoDelay(true);
  let side: Promise<SFTPWrapper> | undefined;
  return {
    client,
    sftp,
    get lost() {
      return lost;
    },
    sideChannel() {
      side ??= new Promise<SFTPWrapper>((resolve, reject) =>
        ssh.sftp((error, channel) => (error ? reject(error) : resolve(channel))),
      );
      return side;
    },
    async end() {
      if (lost) {
        ssh.destroy();
        return;
      }
      lost = true;
      // A polite close, but never wait long on a server that stopped answering.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.end().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 2000);
        }),
      ]);
      clearTimeout(timer);
      ssh.destroy();
    },
  };
}
