// The known log formats and how a file's format is recognised from its first lines.
import { albAccess } from './albAccess';
import { apacheError } from './apacheError';
import { appServers } from './appServers';
import { envoy } from './envoy';
import { haproxy } from './haproxy';
import { nginxError } from './nginxError';
import { LogEvent, LogFormat, LogFormatId } from './types';

/** Most specific first: the order also decides ties when sniffing and the order of the mixed fallback. */
export const LOG_FORMATS: readonly LogFormat[] = [nginxError, apacheError, haproxy, envoy, albAccess, appServers];

export function formatById(id: string): LogFormat | undefined {
  return LOG_FORMATS.find((f) => f.id === id);
}

/** For files no single format claims (journald exports, docker logs of several containers). */
export const mixedFormat: LogFormat = {
  id: 'mixed',
  title: 'mixed / unrecognised',
  detect: () => false,
  classify(line: string): LogEvent | undefined {
    for (const f of LOG_FORMATS) {
      const ev = f.classify(line);
      if (ev) return ev;
    }
    return undefined;
  },
};

/** The format most of the sample lines match, or undefined when none matches a quarter of them. */
export function sniffFormat(sample: readonly string[]): LogFormat | undefined {
  const lines = sample.filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  let best: LogFormat | undefined;
  let bestHits = 0;
  for (const f of LOG_FORMATS) {
    let hits = 0;
    for (const l of lines) if (safeDetect(f, l)) hits++;
    if (hits > bestHits) {
      best = f;
      bestHits = hits;
    }
  }
  return bestHits * 4 >= lines.length ? best : undefined;
}

function safeDetect(f: LogFormat, line: string): boolean {
  try {
    return f.detect(line);
  } catch {
    return false;
  }
}

export type { LogFormatId };
