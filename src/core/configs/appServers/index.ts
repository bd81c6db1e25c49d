// App servers behind the proxy, recognised by file name or content: gunicorn (Python config), uWSGI
// (`[uwsgi]` ini), PHP-FPM pools, Node servers with literal settings.
import * as path from 'path';
import { AppServerConfig } from './model';
import { isGunicornFileName, parseGunicorn } from './gunicorn';
import { looksLikeUwsgi, parseUwsgi } from './uwsgi';
import { looksLikeFpmPool, parsePhpFpm } from './phpFpm';
import { isNodeServerFileName, looksLikeNodeServer, parseNodeServer } from './nodeServer';
import { appsFromCommands, isCommandFileName } from './commandLine';

export type { AppServerConfig, AppListener, AppProtocol, AppServerKind } from './model';

/** Could this file be an app-server config, by its name alone? (Content decides: appServerConfigs.) */
export function isAppServerCandidate(file: string): boolean {
  const base = path.basename(file);
  if (isGunicornFileName(base)) return true;
  if (/\.ini$/i.test(base)) return true;
  if (/\.conf$/i.test(base) && /(php|fpm|pool\.d)/i.test(file)) return true;
  if (isNodeServerFileName(base)) return true;
  if (isCommandFileName(base)) return true;
  return false;
}

/** The app-server configs in one file (a PHP-FPM file may hold several pools), or none. */
export function appServerConfigs(file: string, text: string, options: { nodeMajor?: number } = {}): AppServerConfig[] {
  const base = path.basename(file);
  if (text.includes('\u0000')) return [];
  if (isGunicornFileName(base)) return [parseGunicorn(file, text)];
  if (isCommandFileName(base)) return appsFromCommands(file, text);
  if (/\.ini$/i.test(base) && looksLikeUwsgi(text)) {
    const c = parseUwsgi(file, text);
    return c ? [c] : [];
  }
  if ((/\.conf$/i.test(base) || /\.ini$/i.test(base)) && looksLikeFpmPool(text)) return parsePhpFpm(file, text);
  if (isNodeServerFileName(base) && looksLikeNodeServer(text)) {
    const c = parseNodeServer(file, text, options.nodeMajor);
    return c ? [c] : [];
  }
  return [];
}
