// A clean first run: every package npm installs from the lock supports the Node version the project
// promises (package.json "engines"), so `npm ci` on that Node prints no EBADENGINE warning.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROOT } from '../stack/paths.ts';

const Lock = z.object({ packages: z.record(z.string(), z.object({ engines: z.unknown().optional() })) });
const Engines = z.object({ node: z.string().optional() });

describe('the Node version the project promises', () => {
  it('is supported by every package in package-lock.json, runtime and development alike', () => {
    const promised = z.object({ engines: z.object({ node: z.string() }) }).parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))).engines.node;
    const lowest = semver.minVersion(promised)!.version;
    expect(lowest).toBe('20.19.0');
    const lock = Lock.parse(JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')));
    const refusing = Object.entries(lock.packages).flatMap(([path, pkg]) => {
      // Some packages write engines as an array of strings (an old npm form npm itself ignores).
      const node = Engines.safeParse(pkg.engines).data?.node;
      return node && !semver.satisfies(lowest, node) ? [`${path.replace(/^.*node_modules\//, '')} needs Node ${node}`] : [];
    });
    expect(refusing).toEqual([]);
  });
});
