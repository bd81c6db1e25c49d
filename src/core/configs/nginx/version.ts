// nginx versions: where a version comes from (a setting, or a `# nginx 1.27` hint in the file) and
// comparisons for defaults that changed between releases.

export interface NginxVersion {
  major: number;
  minor: number;
  patch: number;
  /** Where the version came from, for messages: 'setting', 'hint in nginx.conf', … */
  source: string;
}

export function parseVersion(text: string, source: string): NginxVersion | undefined {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { major: +m[1], minor: +m[2], patch: m[3] ? +m[3] : 0, source };
}

export function versionAtLeast(v: NginxVersion | undefined, major: number, minor: number, patch = 0): boolean {
  if (!v) return false;
  return v.major !== major ? v.major > major : v.minor !== minor ? v.minor > minor : v.patch >= patch;
}

export function formatVersion(v: NginxVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** A `# nginx 1.27.1` (or `# nginx: 1.29`) comment in the first lines of a file names its version. */
export function versionHint(text: string, file: string): NginxVersion | undefined {
  const head = text.slice(0, 4096);
  const m = /^[ \t]*#[ \t]*nginx(?:[ \t]+version)?[ \t]*:?[ \t]*v?(\d+\.\d+(?:\.\d+)?)/im.exec(head);
  return m ? parseVersion(m[1], `hint in ${file.split(/[\\/]/).pop()}`) : undefined;
}

/** nginx 1.29.7 made `proxy_http_version 1.1` and upstream keep-alive the default. */
export function http11ByDefault(v: NginxVersion | undefined): boolean {
  return versionAtLeast(v, 1, 29, 7);
}
