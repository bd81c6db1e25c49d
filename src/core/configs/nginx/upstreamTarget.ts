// Reads a proxy_pass / fastcgi_pass / uwsgi_pass target: scheme, host, port, URI part, unix socket.
import * as net from 'net';

export interface ProxyTarget {
  scheme: string;
  /** Host name, IP (without brackets) or upstream group name; '' for unix sockets. */
  host: string;
  port?: number;
  /** The URI part after host[:port], including the leading '/', or undefined when there is none. */
  uri?: string;
  unixSocket?: string;
  hostIsIp: boolean;
  hostHasVariable: boolean;
  hasVariable: boolean;
}

export function parseProxyTarget(value: string, defaultScheme = 'http'): ProxyTarget | undefined {
  if (!value) return undefined;
  let rest = value;
  let scheme = defaultScheme;
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (m) {
    scheme = m[1].toLowerCase();
    rest = rest.slice(m[0].length);
  }
  const hasVariable = value.includes('$');
  if (rest.startsWith('unix:')) {
    // unix:/path/to.sock or unix:/path/to.sock:/uri
    const sock = rest.slice(5);
    const colon = sock.indexOf(':');
    return {
      scheme,
      host: '',
      unixSocket: colon === -1 ? sock : sock.slice(0, colon),
      uri: colon === -1 ? undefined : sock.slice(colon + 1),
      hostIsIp: false,
      hostHasVariable: sock.slice(0, colon === -1 ? undefined : colon).includes('$'),
      hasVariable,
    };
  }
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const uri = slash === -1 ? undefined : rest.slice(slash);
  let host = authority;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority);
  if (v6) {
    host = v6[1];
    port = v6[2] ? +v6[2] : undefined;
  } else {
    const pm = /^(.*):(\d+)$/.exec(authority);
    if (pm) {
      host = pm[1];
      port = +pm[2];
    }
  }
  return { scheme, host, port, uri, hostIsIp: net.isIP(host) !== 0, hostHasVariable: host.includes('$'), hasVariable };
}
