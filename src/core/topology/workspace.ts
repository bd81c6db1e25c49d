// The app-server side of a workspace: which of its files are app-server configs, read once per lint run.
import * as path from 'path';
import type { FileHost } from '../host';
import { AppServerConfig, appServerConfigs, isAppServerCandidate } from '../configs/appServers';

export interface AppSide {
  apps: AppServerConfig[];
  /** Texts of the files the configs came from (fixes that append a line need them). */
  texts: Map<string, string>;
}

/** Node's major version from the nearest package.json `engines.node` (">=20", "^22.1", "26.x"). */
function nodeMajorFor(host: FileHost, file: string, cache: Map<string, number | undefined>): number | undefined {
  let dir = path.dirname(file);
  for (let i = 0; i < 8; i++) {
    if (cache.has(dir)) return cache.get(dir);
    const pkg = path.join(dir, 'package.json');
    if (host.exists(pkg)) {
      let major: number | undefined;
      try {
        const engines = (JSON.parse(host.readFile(pkg)) as { engines?: { node?: string } }).engines?.node;
        const m = engines ? /(\d+)/.exec(engines) : null;
        major = m ? +m[1] : undefined;
      } catch {
        major = undefined;
      }
      cache.set(dir, major);
      return major;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

export function readAppSide(host: FileHost, files: string[]): AppSide {
  const apps: AppServerConfig[] = [];
  const texts = new Map<string, string>();
  const majors = new Map<string, number | undefined>();
  for (const f of files) {
    if (!isAppServerCandidate(f)) continue;
    let text: string;
    try {
      text = host.readFile(f);
    } catch {
      continue; // not ours to report: the file is an app server's, not a proxy config
    }
    const found = appServerConfigs(f, text, { nodeMajor: /\.(m?js|cjs|ts|mts)$|(^|[\\/])www$/.test(f) ? nodeMajorFor(host, f, majors) : undefined });
    if (found.length) {
      apps.push(...found);
      texts.set(f, text);
    }
  }
  return { apps, texts };
}
