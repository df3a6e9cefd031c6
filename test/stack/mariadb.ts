// A private MariaDB for the stack: its own datadir, socket and loopback port, started and stopped by pid.
import { existsSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort, ownsProcess, run, startDaemon, stopProcess, waitFor, StackError } from './system.ts';

export interface MariaDbState {
  pid: number;
  port: number;
  socket: string;
  datadir: string;
  user: string;
  password: string;
}

const SERVER = existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : '/usr/sbin/mysqld';
const asRoot = process.getuid?.() === 0;

/** Starts the private server (or adopts the one already running from this directory). */
export async function startMariaDb(dir: string, previous: MariaDbState | undefined, password: string): Promise<MariaDbState> {
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const pidFile = join(dir, 'mysqld.pid');
  mkdirSync(dir, { recursive: true });

  const running = previous && ownsProcess(previous.pid, datadir) ? previous.pid : pidFromFile(pidFile, datadir);
  if (running && previous) {
    await waitForServer(previous.socket);
    return { ...previous, pid: running };
  }

  if (!existsSync(join(datadir, 'mysql'))) {
    rmSync(datadir, { recursive: true, force: true });
    run('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...(asRoot ? ['--user=root'] : []),
    ]);
  }
  rmSync(socket, { force: true });
  rmSync(pidFile, { force: true });
  const port = await freePort(previous?.port);
  const pid = startDaemon(
    SERVER,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${pidFile}`,
      `--log-error=${join(dir, 'mysqld.log')}`,
      '--skip-name-resolve',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--max-connections=500',
      '--innodb-buffer-pool-size=256M',
      ...(asRoot ? ['--user=root'] : []),
    ],
    join(dir, 'mysqld.out'),
  );
  try {
    await waitForServer(socket, 90_000);
  } catch (err) {
    const log = existsSync(join(dir, 'mysqld.log')) ? readFileSync(join(dir, 'mysqld.log'), 'utf8').slice(-2000) : '';
    throw new StackError(`MariaDB did not start: ${(err as Error).message}\n${log}`);
  }
  const state: MariaDbState = { pid, port, socket, datadir, user: 'crm_bridge', password };
  const conn = await createConnection({ socketPath: socket, user: 'root' });
  try {
    // The stack's own account, reachable over loopback TCP like a real WordPress host.
    await conn.query(`CREATE USER IF NOT EXISTS 'crm_bridge'@'127.0.0.1' IDENTIFIED BY ${conn.escape(password)}`);
    await conn.query(`ALTER USER 'crm_bridge'@'127.0.0.1' IDENTIFIED BY ${conn.escape(password)}`);
    await conn.query(`GRANT ALL PRIVILEGES ON *.* TO 'crm_bridge'@'127.0.0.1'`);
  } finally {
    await conn.end();
  }
  return state;
}

export async function stopMariaDb(state: MariaDbState | undefined): Promise<void> {
  if (state) await stopProcess(state.pid, state.datadir, 60_000);
}

/** Creates the database when missing. */
export async function createDatabase(state: MariaDbState, name: string): Promise<void> {
  const conn = await createConnection({ host: '127.0.0.1', port: state.port, user: state.user, password: state.password });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

function pidFromFile(pidFile: string, datadir: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return ownsProcess(pid, datadir) ? pid : undefined;
}

async function waitForServer(socketPath: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `MariaDB on ${socketPath}`,
    async () => {
      const conn = await createConnection({ socketPath, user: 'root', connectTimeout: 1000 });
      await conn.end();
      return true;
    },
    timeoutMs,
  );
}
