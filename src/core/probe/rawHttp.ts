// A small HTTP/1.x response reader over a socket we own, for the two exchanges undici cannot hand us
// back cleanly: the proxy's answer to CONNECT (the socket must stay ours for the tunnel) and the
// keep-alive measurement (the socket must stay open and idle after the response, with nobody else
// deciding when to close it). It frames the body (Content-Length, chunked, or until close), never
// reads past the end of the response, and is bounded by the budget and a byte cap.
import type * as net from 'net';
import { Budget, PhaseError } from './phases';

export interface RawResponse {
  version: string;
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers become arrays. Not redacted: callers redact. */
  headers: Record<string, string | string[]>;
  headerBytes: number;
  /** The body bytes kept (up to keepBodyBytes). */
  body: Buffer;
  bodyBytes: number;
  /** The response ended where its framing says (false: cut by the cap, or by the idle wait). */
  complete: boolean;
  /** The peer closed the connection while (or by) ending the response. */
  closedByPeer: boolean;
}

export interface RawReadOptions {
  maxHeaderBytes: number;
  keepBodyBytes: number;
  /** Stop reading a body at this many bytes (complete=false). */
  maxBodyBytes: number;
  /** The answer to CONNECT: a 2xx has no body (the tunnel starts right after the head). */
  connect?: boolean;
  /** For bodies framed only by the close: stop after this long without data (the response counts as cut). */
  unframedIdleMs?: number;
}

function parseHead(text: string): Pick<RawResponse, 'version' | 'status' | 'statusText' | 'headers'> {
  const lines = text.split('\r\n');
  const m = /^HTTP\/(\d\.\d)\s+(\d{3})(?:\s+(.*))?$/.exec(lines[0]);
  if (!m) throw new PhaseError('http', 'HPE_INVALID_CONSTANT', `not an HTTP response: ${JSON.stringify(lines[0].slice(0, 60))}`);
  const headers: Record<string, string | string[]> = {};
  for (const line of lines.slice(1)) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const k = line.slice(0, c).trim().toLowerCase();
    const v = line.slice(c + 1).trim();
    const prev = headers[k];
    headers[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { version: m[1], status: +m[2], statusText: m[3] ?? '', headers };
}

function one(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[h.length - 1] : h;
}

/** Reads one response from `socket`. Bytes after its end are pushed back (socket.unshift). */
export function readRawResponse(socket: net.Socket, budget: Budget, o: RawReadOptions): Promise<RawResponse> {
  let onData: (d: Buffer) => void;
  let onEnd: () => void;
  let onErr: (e: Error) => void;
  let idle: NodeJS.Timeout | undefined;
  const detach = () => {
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onErr);
    if (idle) clearTimeout(idle);
  };
  return budget.race<RawResponse>(
    'http',
    (done) => {
      let buf = Buffer.alloc(0);
      let res: RawResponse | undefined;
      let framing: 'none' | 'length' | 'chunked' | 'close' = 'none';
      let left = 0; // length framing: bytes still to come
      let chunkBuf = Buffer.alloc(0); // chunked framing: unparsed bytes
      const finish = (err: Error | null, complete = true, rest?: Buffer) => {
        detach();
        if (err) return done(err);
        // Not paused: a tunnel's TLS takes the socket over next, and the keep-alive wait needs the
        // close (FIN) to be read. Nothing should follow a response; anything that does is put back.
        if (rest && rest.length) socket.unshift(rest);
        res!.complete = complete;
        done(null, res!);
      };
      const keep = (b: Buffer) => {
        res!.bodyBytes += b.length;
        if (res!.body.length < o.keepBodyBytes) res!.body = Buffer.concat([res!.body, b.subarray(0, o.keepBodyBytes - res!.body.length)]);
      };
      const body = (b: Buffer): boolean => {
        // Returns true when the response is finished (finish() called).
        if (framing === 'length') {
          const take = b.subarray(0, left);
          keep(take);
          left -= take.length;
          if (left === 0) return finish(null, true, b.subarray(take.length)), true;
        } else if (framing === 'chunked') {
          chunkBuf = Buffer.concat([chunkBuf, b]);
          for (;;) {
            const eol = chunkBuf.indexOf('\r\n');
            if (eol === -1) break;
            const size = parseInt(chunkBuf.subarray(0, eol).toString('latin1').split(';')[0].trim(), 16);
            if (Number.isNaN(size)) return finish(new PhaseError('http', 'HPE_INVALID_CHUNK_SIZE', 'invalid chunk size in the response')), true;
            if (size === 0) {
              // Last chunk, then optional trailers, then an empty line.
              let endAt = -1;
              if (chunkBuf.length >= eol + 4 && chunkBuf[eol + 2] === 13 && chunkBuf[eol + 3] === 10) endAt = eol + 4;
              else {
                const t = chunkBuf.indexOf('\r\n\r\n', eol + 2);
                if (t !== -1) endAt = t + 4;
              }
              if (endAt === -1) break;
              return finish(null, true, chunkBuf.subarray(endAt)), true;
            }
            if (chunkBuf.length < eol + 2 + size + 2) break;
            keep(chunkBuf.subarray(eol + 2, eol + 2 + size));
            chunkBuf = chunkBuf.subarray(eol + 2 + size + 2);
          }
        } else if (framing === 'close') {
          keep(b);
          if (o.unframedIdleMs !== undefined) {
            if (idle) clearTimeout(idle);
            idle = setTimeout(() => finish(null, false), o.unframedIdleMs);
          }
        }
        if (res!.bodyBytes >= o.maxBodyBytes) return finish(null, false), true;
        return false;
      };
      onData = (d: Buffer) => {
        if (res) {
          body(d);
          return;
        }
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) {
          if (buf.length > o.maxHeaderBytes) finish(new PhaseError('http', 'UND_ERR_HEADERS_OVERFLOW', `response headers larger than ${o.maxHeaderBytes} bytes`));
          return;
        }
        try {
          res = { ...parseHead(buf.subarray(0, end).toString('latin1')), headerBytes: end + 4, body: Buffer.alloc(0), bodyBytes: 0, complete: false, closedByPeer: false };
        } catch (err) {
          return finish(err as Error);
        }
        const rest = buf.subarray(end + 4);
        const te = (one(res.headers['transfer-encoding']) ?? '').toLowerCase();
        const cl = one(res.headers['content-length']);
        if ((o.connect && res.status >= 200 && res.status < 300) || res.status === 204 || res.status === 304 || (res.status >= 100 && res.status < 200)) framing = 'none';
        else if (te.includes('chunked')) framing = 'chunked';
        else if (cl !== undefined && /^\d+$/.test(cl)) {
          framing = 'length';
          left = +cl;
        } else framing = 'close';
        if (framing === 'none' || (framing === 'length' && left === 0)) return finish(null, true, rest);
        if (framing === 'close' && o.unframedIdleMs !== undefined) idle = setTimeout(() => finish(null, false), o.unframedIdleMs);
        if (rest.length) body(rest);
      };
      onEnd = () => {
        if (!res) return finish(new PhaseError('http', 'UND_ERR_SOCKET', 'the connection was closed before a response arrived'));
        res.closedByPeer = true;
        finish(null, framing === 'close');
      };
      onErr = (e: Error) => finish(new PhaseError('http', (e as NodeJS.ErrnoException).code ?? 'EHTTP', `connection failed while reading the response: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('error', onErr);
      socket.resume();
    },
    () => {
      detach();
      socket.destroy();
    },
  );
}
