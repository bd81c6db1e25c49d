// The data a probe produces: plain objects the CLI prints as JSON and the editor draws.
import type { CauseId } from '../finding';

/** Durations of one request, in milliseconds. dns/connect/tls/ttfb are each their own phase (httpstat's
 * picture); ttfb is request sent → first response byte ("server processing"); total is start → end. */
export interface Phases {
  dnsMs: number;
  connectMs: number;
  tlsMs: number;
  ttfbMs: number;
  totalMs: number;
}

export interface DnsInfo {
  host: string;
  addresses: Array<{ address: string; family: number }>;
  /** CNAME chain from the asked name to the last alias, empty when there is none or it was not asked. */
  cnames: string[];
  /** 'resolve' when --resolve supplied the address, 'literal' for an IP in the URL. */
  source: 'dns' | 'resolve' | 'literal';
  error?: string;
}

export interface ConnectAttempt {
  address: string;
  port: number;
  ms: number;
  ok: boolean;
  error?: string;
}

export interface TlsInfo {
  /** The SNI sent (undefined when none: IP literal or the SNI-off comparison). */
  servername?: string;
  version?: string;
  cipher?: string;
  alpn?: string | false;
  /** Subject CN → issuer CN, leaf first. */
  chain: string[];
  validFrom?: string;
  validTo?: string;
  daysLeft?: number;
  nameMatches?: boolean;
  authorized?: boolean;
  /** Why the certificate is not trusted (node's authorizationError code), or the name mismatch. */
  problems: string[];
  error?: string;
  /** When the handshake failed: the same handshake with SNI toggled, to tell SNI problems apart. */
  sniComparison?: { servername?: string; ok: boolean; error?: string };
}

export interface HttpInfo {
  status: number;
  statusText: string;
  /** Header names lower-cased; values redacted where secret. */
  headers: Record<string, string | string[]>;
  /** Approximate bytes of the status line and headers as received. */
  headerBytes: number;
  bodyBytes: number;
  /** True when the body was cut at the byte cap. */
  bodyTruncated: boolean;
  /** The first bytes of the body (for fingerprints), as text. */
  bodySnippet: string;
}

export interface ProbeError {
  /** The phase that failed. */
  phase: 'dns' | 'connect' | 'tls' | 'http' | 'timeout' | 'cancelled';
  code: string;
  message: string;
}

export interface Redirect {
  status: number;
  from: string;
  location: string;
  followed: boolean;
  note?: string;
}

/** One request, phase by phase. */
export interface Sample {
  url: string;
  phases: Phases;
  status?: number;
  dns?: DnsInfo;
  connects: ConnectAttempt[];
  tls?: TlsInfo;
  http?: HttpInfo;
  redirects: Redirect[];
  error?: ProbeError;
}

export interface PhasePercentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface Percentiles {
  count: number;
  errorRate: number;
  /** Some samples failed and others did not. */
  intermittent: boolean;
  statuses: Record<string, number>;
  dnsMs: PhasePercentiles;
  connectMs: PhasePercentiles;
  tlsMs: PhasePercentiles;
  ttfbMs: PhasePercentiles;
  totalMs: PhasePercentiles;
}

export interface Hop {
  /** Product id that generated the response ('nginx', 'cloudflare', …), 'origin' when it came from behind
   * the proxies, 'no-response' when no HTTP response arrived. */
  generatedBy: string;
  evidence: string[];
}

export interface ErrorLogLine {
  file: string;
  line: string;
  cause?: CauseId;
  message?: string;
}

export interface Verdict {
  cause: CauseId;
  confidence: 'high' | 'medium' | 'low';
  summary: string;
  evidence: string[];
  nextSteps: string[];
}

export interface ProbeReport {
  url: string;
  status: number | null;
  phases: Phases;
  samples: Sample[];
  percentiles: Percentiles;
  hop: Hop;
  verdict: Verdict;
}
