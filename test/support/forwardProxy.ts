// A small forward proxy for the lab, on 127.0.0.1: CONNECT tunnels (https) and absolute-form requests
// (http), optional Basic credentials (407 without them), and a mode in which it answers every request
// with its own 502, the way a corporate proxy does when it cannot reach the site. It records what it
// was asked, so tests can tell "went through the proxy" from "went direct".
import * as net from 'net';

export interface ProxyRequest {
  method: string;
  target: string;
  proxyAuthorization?: string;
}

export interface ForwardProxy {
  port: number;
  url: string;
  requests: ProxyRequest[];
  close(): Promise<void>;
}

export interface ForwardProxyOptions {
  /** Answer every request (CONNECT or not) with the proxy's own 502. */
  answer502?: boolean;
  /** 'user:pass': requests without these Basic credentials get 407. */
  credentials?: string;
}

const PROXY_AGENT = 'gd-lab-proxy/1.0';

function own(socket: net.Socket, status: number, reason: string, text: string, extra = ''): void {
  const body = `<html><head><title>${status} ${reason}</title></head><body><h1>${reason}</h1><p>${text}</p><hr>${PROXY_AGENT}</body></html>\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nProxy-Agent: ${PROXY_AGENT}\r\nVia: 1.1 gd-lab-proxy\r\nContent-Type: text/html\r\n${extra}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function startForwardProxy(opts: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const requests: ProxyRequest[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    track(client);
    let head = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onData);
      client.pause();
      const text = head.subarray(0, end).toString('latin1');
      const rest = head.subarray(end + 4);
      const [line, ...headerLines] = text.split('\r\n');
      const [method, target] = line.split(' ');
      const auth = headerLines.find((h) => /^proxy-authorization:/i.test(h))?.replace(/^[^:]+:\s*/, '');
      requests.push({ method, target, proxyAuthorization: auth });
      if (opts.credentials && auth !== `Basic ${Buffer.from(opts.credentials).toString('base64')}`) {
        own(client, 407, 'Proxy Authentication Required', 'credentials needed', 'Proxy-Authenticate: Basic realm="lab"\r\n');
        return;
      }
      let host: string;
      let port: number;
      let forwardHead: string | undefined;
      if (method === 'CONNECT') {
        const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
        if (!m) return own(client, 400, 'Bad Request', 'bad CONNECT target');
        host = m[1];
        port = +m[2];
      } else {
        let u: URL;
        try {
          u = new URL(target);
        } catch {
          return own(client, 400, 'Bad Request', 'absolute-form URL expected');
        }
        host = u.hostname.replace(/^\[|\]$/g, '');
        port = u.port ? +u.port : 80;
        const kept = headerLines.filter((h) => !/^(proxy-authorization|proxy-connection):/i.test(h));
        forwardHead = `${method} ${u.pathname}${u.search} HTTP/1.1\r\n${kept.join('\r\n')}\r\nVia: 1.1 gd-lab-proxy\r\n\r\n`;
      }
      if (opts.answer502) return own(client, 502, 'Bad Gateway', `The proxy could not connect to ${host}:${port}.`);
      const upstream = net.connect({ host, port });
      track(upstream);
      upstream.once('error', (e: NodeJS.ErrnoException) => {
        if (!client.destroyed) own(client, 502, 'Bad Gateway', `The proxy could not connect to ${host}:${port}: ${e.code}.`);
      });
      upstream.once('connect', () => {
        if (forwardHead === undefined) client.write('HTTP/1.1 200 Connection established\r\nProxy-Agent: ' + PROXY_AGENT + '\r\n\r\n');
        else upstream.write(forwardHead);
        if (rest.length) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    client.on('data', onData);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
