// Starts the built sidecar (sidecar/dist/main.js) as a real process against the test stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../stack/paths.ts';
import { freePort, waitFor } from '../stack/system.ts';
import type { SiteState } from '../stack/wordpress.ts';
import { databaseUrl, dbPool, site } from './stack.ts';

export const SIDECAR_MAIN = join(ROOT, 'sidecar', 'dist', 'main.js');

export interface RunningSidecar {
  process: ChildProcess;
  url: string;
  workerId: string;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/** The environment the sidecar needs to reach the given site. */
export function sidecarEnv(s: SiteState = site(), overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    CRM_BRIDGE_DATABASE_URL: databaseUrl(s),
    CRM_BRIDGE_TABLE_PREFIX: s.tablePrefix,
    CRM_BRIDGE_WORDPRESS_URL: s.url,
    CRM_BRIDGE_WP_USER: s.sidecarUser,
    CRM_BRIDGE_WP_APP_PASSWORD: s.sidecarAppPassword,
    CRM_BRIDGE_ENCRYPTION_KEY: s.encryptionKey,
    CRM_BRIDGE_LOG_LEVEL: 'info',
    // The CRM simulator and the test receivers listen on loopback, which the sidecar refuses unless
    // its environment allows private addresses. Tests of that refusal override this with '0'.
    CRM_BRIDGE_ALLOW_PRIVATE_URLS: '1',
    ...overrides,
  };
}

/** Spawns the sidecar; resolves once it answers /healthz (or once it exited, for refusal tests). */
export async function startSidecar(env: Record<string, string>, opts: { waitHealthy?: boolean } = {}): Promise<RunningSidecar> {
  if (!existsSync(SIDECAR_MAIN)) throw new Error('sidecar/dist/main.js is missing: run `npm run build --workspace sidecar`');
  const port = await freePort();
  const workerId = env.CRM_BRIDGE_WORKER_ID ?? `test-${port}`;
  const child = spawn(process.execPath, [SIDECAR_MAIN], {
    env: { CRM_BRIDGE_HTTP_PORT: String(port), CRM_BRIDGE_WORKER_ID: workerId, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running: RunningSidecar = {
    process: child,
    url: `http://127.0.0.1:${port}`,
    workerId,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  if (opts.waitHealthy !== false) {
    let gone = false;
    void exited.then(() => (gone = true));
    await waitFor(
      `the sidecar on port ${port}`,
      async () => {
        if (gone) throw new Error(`sidecar exited early:\n${out}`);
        const res = await fetch(`${running.url}/healthz`);
        return res.ok;
      },
      30_000,
    );
  }
  return running;
}

/** SIGKILL: the process gets no chance to release anything or remove its heartbeat. */
export async function killSidecar(sc: RunningSidecar): Promise<void> {
  sc.process.kill('SIGKILL');
  await sc.exited;
}

/** How many of these inbox events are running under a claim of the given worker id. */
export async function claimedBy(workerId: string, eventIds: string[], s: SiteState = site()): Promise<number> {
  const [rows] = await dbPool(s).query(`SELECT COUNT(*) AS n FROM ${s.tablePrefix}crm_bridge_inbox WHERE event_id IN (?) AND status = 'running' AND locked_by = ?`, [eventIds, workerId]);
  return Number((rows as { n: number }[])[0]!.n);
}

/** A queue row as a claim left it: which row, at which attempt. */
export interface HeldRow {
  queue: 'inbox' | 'outbox';
  id: number;
  attempts: number;
}

/** The rows of both queues running under a claim of the given worker id. */
export async function heldBy(workerId: string, s: SiteState = site()): Promise<HeldRow[]> {
  const held: HeldRow[] = [];
  for (const queue of ['inbox', 'outbox'] as const) {
    const [rows] = await dbPool(s).query(`SELECT id, attempts FROM ${s.tablePrefix}crm_bridge_${queue} WHERE status = 'running' AND locked_by = ? ORDER BY id`, [workerId]);
    held.push(...(rows as { id: number; attempts: number }[]).map((r) => ({ queue, id: Number(r.id), attempts: Number(r.attempts) })));
  }
  return held;
}

/** Those of `held` still under the very claim they were under (same worker id, same attempt). */
export async function stillHeld(held: HeldRow[], workerId: string, s: SiteState = site()): Promise<HeldRow[]> {
  const now = await heldBy(workerId, s);
  return held.filter((h) => now.some((n) => n.queue === h.queue && n.id === h.id && n.attempts === h.attempts));
}
