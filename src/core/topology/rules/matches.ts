// Which app servers (and their listeners) serve a hop's targets: shared by the cross-layer rules.
import type { AppListener, AppServerConfig } from '../../configs/appServers';
import { NginxHop, NginxTarget, listenerServes } from '../chain';

export interface Served {
  target: NginxTarget;
  app: AppServerConfig;
  listener: AppListener;
}

export function servedBy(hop: NginxHop, apps: AppServerConfig[]): Served[] {
  const out: Served[] = [];
  for (const target of hop.targets)
    for (const app of apps)
      for (const listener of app.listeners) if (listenerServes(listener, target)) out.push({ target, app, listener });
  return out;
}

/** Each app once, with the first listener that matched (a gunicorn bound twice is still one server). */
export function distinctApps(served: Served[]): Served[] {
  const seen = new Set<AppServerConfig>();
  return served.filter((s) => !seen.has(s.app) && seen.add(s.app));
}
