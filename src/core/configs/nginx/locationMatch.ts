import type { ConfNode } from './tree';

export interface LocationMatch {
  kind: 'prefix' | 'exact' | 'regex' | 'named';
  /** The prefix, exact path, regex or @name, without its modifier. */
  path: string;
  /** The argument that holds the path (the modifier may be glued to it: `^~/api/`). */
  argIndex: number;
}

/** How a `location` matches, read the way ngx_http_core_location does (modifier apart or glued). */
export function locationMatch(loc: ConfNode): LocationMatch | undefined {
  const a = loc.d.args;
  if (a.length === 2) {
    const kind = a[0].value === '=' ? 'exact' : a[0].value === '^~' ? 'prefix' : a[0].value === '~' || a[0].value === '~*' ? 'regex' : undefined;
    return kind && { kind, path: a[1].value, argIndex: 1 };
  }
  if (a.length !== 1) return undefined;
  const v = a[0].value;
  for (const [mod, kind] of [['=', 'exact'], ['^~', 'prefix'], ['~*', 'regex'], ['~', 'regex'], ['@', 'named']] as const) {
    if (v.startsWith(mod)) return { kind, path: kind === 'named' ? v : v.slice(mod.length), argIndex: 0 };
  }
  return { kind: 'prefix', path: v, argIndex: 0 };
}
