// Fetches the demo's pinned WooCommerce release from wordpress.org, as wp-env and WordPress Playground
// do: checked against a pinned SHA-256 before anything unpacks it, bounded in size and time, cached
// under the stack directory so later runs need no network.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';

/** A release the demo may download: its version and the SHA-256 of wordpress.org's zip, or null while not pinned. */
export const PinnedRelease = z.object({
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
});
export type PinnedRelease = z.infer<typeof PinnedRelease>;

/**
 * WooCommerce 9.4.3 runs on the stack's WordPress 6.5. Its zip's SHA-256 is not pinned (wordpress.org
 * publishes per-file checksums, not the zip's): while the checksum is null the download is refused
 * and the demo says how to give a release instead. To pin it,
 * fetch the zip once on a trusted network, check it against the per-file checksums at
 * https://downloads.wordpress.org/plugin-checksums/woocommerce/9.4.3.json, and write its sha256sum here.
 */
export const PINNED: PinnedRelease = PinnedRelease.parse({ version: '9.4.3', sha256: null });

export const DOWNLOAD_HOST = 'https://downloads.wordpress.org';
/** The 9.x zips are about 20 MiB; anything far bigger is not the release. */
export const MAX_BYTES = 64 * 1024 * 1024;
export const TIMEOUT_MS = 120_000;

/** The download was refused or failed; the demo falls back to the stand-in and says why. */
export class DownloadRefused extends Error {
  override name = 'DownloadRefused';
}

export interface DownloadOptions {
  /** Where the release is served (tests pass a loopback server); the path is wordpress.org's. */
  host?: string;
  maxBytes?: number;
  timeoutMs?: number;
}

export function releaseUrl(version: string, host = DOWNLOAD_HOST): string {
  return `${host}/plugin/woocommerce.${version}.zip`;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * The pinned release's zip under cacheDir: reused when its checksum still matches, downloaded
 * otherwise. Throws DownloadRefused, and leaves no file behind, when the checksum is not pinned,
 * the server does not answer 200 in time, the body is too big, or the checksum differs.
 */
export async function pinnedReleaseZip(cacheDir: string, release: PinnedRelease = PINNED, opts: DownloadOptions = {}): Promise<string> {
  const { version, sha256 } = PinnedRelease.parse(release);
  if (!sha256) {
    throw new DownloadRefused(`the SHA-256 of WooCommerce ${version}'s zip is not pinned yet, so it is not downloaded unchecked`);
  }
  const zip = join(cacheDir, `woocommerce.${version}.zip`);
  if (existsSync(zip)) {
    if ((await sha256Of(zip)) === sha256) return zip;
    rmSync(zip, { force: true });
  }
  mkdirSync(dirname(zip), { recursive: true });
  const partial = `${zip}.part`;
  const url = releaseUrl(version, opts.host);
  try {
    const got = await download(url, partial, opts.maxBytes ?? MAX_BYTES, opts.timeoutMs ?? TIMEOUT_MS);
    if (got !== sha256) {
      throw new DownloadRefused(`${url} has SHA-256 ${got}, not the pinned ${sha256}: the file was deleted and not used`);
    }
    renameSync(partial, zip);
    return zip;
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Streams url into file and returns the body's SHA-256. */
async function download(url: string, file: string, maxBytes: number, timeoutMs: number): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    // No redirects: wordpress.org serves the zip itself, and the checksum is the only trust we need,
    // but a redirect to another host would make the refusal message name the wrong server.
    res = await fetch(url, { redirect: 'manual', signal });
  } catch (err) {
    throw new DownloadRefused(`${url} did not answer: ${reason(err)}`);
  }
  if (res.status !== 200 || !res.body) {
    throw new DownloadRefused(`${url} answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ` (a redirect to ${res.headers.get('location') ?? '?'}, not followed)` : ''}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body.cancel();
    throw new DownloadRefused(`${url} is ${declared} bytes, more than the ${maxBytes} a release can be`);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new DownloadRefused(`${url} sent more than the ${maxBytes} bytes a release can be`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), meter, createWriteStream(file), { signal });
  } catch (err) {
    if (err instanceof DownloadRefused) throw err;
    throw new DownloadRefused(`${url} failed while downloading: ${reason(err)}`);
  }
  return hash.digest('hex');
}

function reason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return err instanceof Error ? `${err.message}${cause}` : String(err);
}
