// uWSGI ini files (`[uwsgi]`): its sockets (uwsgi protocol unless `protocol = http`), http-socket
// (HTTP), fastcgi-socket (FastCGI), and `harakiri`: a request that runs longer is dropped and its worker
// recycled, which nginx sees as the upstream closing the connection (502).
import { LineIndex } from '../../text';
import { parseIni } from './iniFile';
import { AppProtocol, AppServerConfig, parseHostPort } from './model';

const SOCKET_KEYS: Record<string, AppProtocol | 'socket'> = {
  socket: 'socket',
  's': 'socket',
  'uwsgi-socket': 'uwsgi',
  'http-socket': 'http',
  'fastcgi-socket': 'fastcgi',
  // The HTTP router: a process of its own in front of the workers, speaking HTTP.
  http: 'http',
};

export function looksLikeUwsgi(text: string): boolean {
  return /^\s*\[uwsgi\]\s*$/m.test(text.slice(0, 65536));
}

export function parseUwsgi(file: string, text: string): AppServerConfig | undefined {
  const lines = new LineIndex(text);
  const ini = parseIni(text, ';#');
  const section = ini.sections.find((s) => s.name === 'uwsgi');
  if (!section) return undefined;
  const entries = ini.entries.filter((e) => e.section === 'uwsgi');
  const cfg: AppServerConfig = { kind: 'uwsgi', file, label: `uWSGI (${file.split(/[\\/]/).pop()})`, listeners: [], problems: [] };
  const protocolEntry = entries.filter((e) => e.key === 'protocol').pop();
  const socketProtocol: AppProtocol = protocolEntry?.value === 'http' ? 'http' : protocolEntry?.value === 'fastcgi' ? 'fastcgi' : 'uwsgi';
  for (const e of entries) {
    const kind = SOCKET_KEYS[e.key];
    if (!kind) continue;
    // %(placeholders) and $(ENV) are filled in by uWSGI at start-up: not known here.
    if (/%\(|\$\(/.test(e.value)) continue;
    const protocol = kind === 'socket' ? socketProtocol : kind;
    const range = lines.range(e.valueStart, e.valueEnd);
    const v = e.value.split(',')[0].trim();
    if (v.startsWith('/') || v.startsWith('@') || v.startsWith('unix:')) {
      cfg.listeners.push({ protocol, socket: v.replace(/^unix:/, ''), file, range, isDefault: false, text: e.value });
      continue;
    }
    const hp = parseHostPort(v);
    if (hp?.port !== undefined) cfg.listeners.push({ protocol, host: hp.host, port: hp.port, file, range, isDefault: false, text: e.value });
  }
  const harakiri = entries.filter((e) => e.key === 'harakiri').pop();
  const secs = harakiri && /^\d+$/.test(harakiri.value.trim()) ? +harakiri.value.trim() : harakiri ? undefined : 0;
  if (secs !== undefined)
    cfg.requestTimeout = {
      file,
      range: harakiri ? lines.range(harakiri.valueStart, harakiri.valueEnd) : lines.range(section.start, section.headerEnd),
      isDefault: !harakiri,
      text: harakiri ? harakiri.value : '0',
      ms: secs * 1000,
      setting: 'harakiri',
      effect: 'drops the request and recycles the worker',
    };
  return cfg;
}
