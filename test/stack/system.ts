// Process, package and port plumbing shared by the stack scripts: nothing here knows about WordPress.
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { readFileSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';

export class StackError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'StackError';
  }
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): string {
  const res = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? process.env, input: opts.input, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw new StackError(`${cmd} could not start: ${res.error.message}`);
  if (res.status !== 0) throw new StackError(`${cmd} ${args.join(' ')} failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

/** Same as run(), without blocking the event loop (servers in this process keep answering meanwhile). */
export function runAsync(cmd: string, args: string[], opts: { input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => reject(new StackError(`${cmd} could not start: ${err.message}`)));
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new StackError(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${stdout}\n${stderr}`))));
    child.stdin!.end(opts.input ?? '');
  });
}

/** Starts a long-running process in its own process group, output to a log file, and returns its pid. */
export function startDaemon(cmd: string, args: string[], logFile: string, opts: SpawnOptions = {}): number {
  const out = openSync(logFile, 'a');
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', out, out] });
  if (child.pid === undefined) throw new StackError(`${cmd} could not start`);
  child.unref();
  return child.pid;
}

/** True when pid is alive and its command line mentions marker (so a reused pid is never ours by accident). */
export function ownsProcess(pid: number | undefined, marker: string): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return cmdline.includes(marker);
  } catch {
    return false;
  }
}

/** Stops a process group we started: TERM, then KILL after the grace period. */
export async function stopProcess(pid: number, marker: string, graceMs = 15_000): Promise<void> {
  if (!ownsProcess(pid, marker)) return;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!ownsProcess(pid, marker)) return;
    await sleep(100);
  }
  signal('SIGKILL');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until check resolves truthy or the timeout passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(200);
  }
  throw new StackError(`timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
}

/** A TCP port free on loopback right now; prefers the given one when it is free. */
export async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : undefined));
      });
    });
  if (preferred) {
    const p = await tryPort(preferred);
    if (p) return p;
  }
  const p = await tryPort(0);
  if (!p) throw new StackError('no free port on 127.0.0.1');
  return p;
}

/** Installs missing Debian packages, or explains what to run when this process cannot. */
export function ensureDebianPackages(packages: string[]): void {
  const missing = packages.filter((pkg) => {
    const res = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return res.status !== 0 || !res.stdout.includes('install ok installed');
  });
  if (missing.length === 0) return;
  if (!existsSync('/usr/bin/apt-get')) {
    throw new StackError(`missing system packages (${missing.join(' ')}) and no apt-get here: install them with your package manager`, 3);
  }
  if (process.getuid?.() !== 0) {
    throw new StackError(`missing system packages: ${missing.join(' ')}\nrun as root: apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`, 3);
  }
  process.stderr.write(`installing ${missing.join(' ')} from Debian's packages…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
}
