/**
 * A real OpenSSH `sshd` on 127.0.0.1 for tests: a free port, a throwaway host key, one authorized
 * client key, and everything else in a temp dir. `kill()` kills the listener *and* every
 * per-connection child (they call setsid(), so a process-group kill would miss them and a
 * transfer would carry on); `restart()` listens again on the same port.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const sshdPath = '/usr/sbin/sshd';

export interface ClientKey {
  /** OpenSSH private key text (no passphrase unless one was asked for). */
  privateKey: string;
  /** The `authorized_keys` line (`ssh-ed25519 AAAA… comment`). */
  publicKey: string;
}

export interface SshdFixture extends AsyncDisposable {
  host: '127.0.0.1';
  port: number;
  /** The login (the user running the tests: sshd can only log in as itself when unprivileged). */
  user: string;
  /** Private key of the one authorized client key. */
  privateKey: string;
  publicKey: string;
  /** `SHA256:<unpadded base64>` of the host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** Directory to upload into, as the sftp server names it (absolute; no chroot, so equal to `root`). */
  remoteDir: string;
  /** The local directory behind `remoteDir`. */
  root: string;
  /** sshd reads it at every authentication: rewrite it to change who may log in. */
  authorizedKeysFile: string;
  /** Everything sshd wrote to stderr (`-e`, `LogLevel DEBUG1`) since the fixture started. */
  log(): string;
  /** CPU seconds (user + system) of the listener's finished sessions so far, from /proc. */
  sessionCpuSeconds(): number;
  /** Kills the listener and every child (running transfers die with it). */
  kill(): void;
  /** Starts sshd again on the same port; resolves once it listens. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh ed25519 key pair from ssh-keygen; `options` become `authorized_keys` options. */
export async function generateClientKey(dir: string, name: string, passphrase = ''): Promise<ClientKey> {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
  return {
    privateKey: await readFile(file, 'utf8'),
    publicKey: (await readFile(`${file}.pub`, 'utf8')).trim(),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Pids of `pid` and all its descendants, from /proc. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid …; comm may contain spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

export async function startSshd(): Promise<SshdFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'egress-sshd-'));
  const root = join(dir, 'root');
  await mkdir(root);
  const privileged = process.getuid?.() === 0;
  if (privileged) {
    // sshd as root insists on its privilege-separation directory (the package creates it).
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  }
  const hostKey = join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'egress-test-host', '-f', hostKey]);
  const hostKeyFingerprint = execFileSync('ssh-keygen', ['-lf', `${hostKey}.pub`], {
    encoding: 'utf8',
  }).split(' ')[1] as string;
  const client = await generateClientKey(dir, 'client_ed25519');
  const authorizedKeysFile = join(dir, 'authorized_keys');
  await writeFile(authorizedKeysFile, `${client.publicKey}\n`, { mode: 0o600 });
  const user = userInfo().username;
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeysFile}`,
      'StrictModes no',
      // Measured here: as root `UsePAM no` works; unprivileged (as `nobody`) `UsePAM no` refused
      // the login ("account is locked": no password in /etc/shadow) and `UsePAM yes` let it in.
      `UsePAM ${privileged ? 'no' : 'yes'}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'LogLevel DEBUG1',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );

  let output = '';
  let child: ChildProcess | undefined;

  async function launch(): Promise<void> {
    const started = spawn(sshdPath, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        seen += chunk.toString();
        if (seen.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
      };
      started.stderr?.on('data', onData);
      started.once('error', reject);
      started.once('exit', (code) => reject(new Error(`sshd exited (${code}) before listening:\n${seen}`)));
    });
  }

  function kill(): void {
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    // Collect the tree first, then kill the listener before its children so it forks no more.
    for (const pid of processTree(child.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async function waitExit(): Promise<void> {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise<void>((resolve) => current.once('exit', () => resolve()));
  }

  async function close(): Promise<void> {
    kill();
    await waitExit();
    await rm(dir, { recursive: true, force: true });
  }

  await launch();
  return {
    host: '127.0.0.1',
    port,
    user,
    privateKey: client.privateKey,
    publicKey: client.publicKey,
    hostKeyFingerprint,
    remoteDir: root,
    root,
    authorizedKeysFile,
    log: () => output,
    sessionCpuSeconds() {
      if (!child?.pid) return 0;
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 16 and 17 of proc(5) (cutime, cstime), counted from the state field as 3.
      return (Number(fields[13]) + Number(fields[14])) / 100;
    },
    kill,
    async restart() {
      kill();
      await waitExit();
      await launch();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
