// A small INI reader with offsets, for the formats of uWSGI (`[uwsgi]`) and PHP-FPM pools (`[www]`):
// `[section]`, `key = value`, comments after `;` or `#` at the start of a line. Values keep their range;
// one pair of surrounding quotes is removed from the value (its range still covers them).
export interface IniEntry {
  section: string;
  key: string;
  value: string;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

export interface IniSection {
  name: string;
  /** Offset of the `[name]` line. */
  start: number;
  headerEnd: number;
}

export interface IniFile {
  sections: IniSection[];
  entries: IniEntry[];
}

export function parseIni(text: string, commentChars = ';#'): IniFile {
  const sections: IniSection[] = [];
  const entries: IniEntry[] = [];
  let section = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    let e = text.indexOf('\n', i);
    if (e < 0) e = n;
    let a = i;
    while (a < e && (text[a] === ' ' || text[a] === '\t' || text[a] === '\uFEFF')) a++;
    let b = e;
    while (b > a && (text[b - 1] === '\r' || text[b - 1] === ' ' || text[b - 1] === '\t')) b--;
    const c = text[a];
    if (a < b && !commentChars.includes(c)) {
      if (c === '[') {
        const close = text.indexOf(']', a);
        if (close > a && close < b) {
          section = text.slice(a + 1, close).trim();
          sections.push({ name: section, start: a, headerEnd: close + 1 });
        }
      } else {
        const eq = text.indexOf('=', a);
        if (eq > a && eq < b) {
          let ke = eq;
          while (ke > a && (text[ke - 1] === ' ' || text[ke - 1] === '\t')) ke--;
          let vs = eq + 1;
          while (vs < b && (text[vs] === ' ' || text[vs] === '\t')) vs++;
          let ve = b;
          // A trailing `; comment` after a value (PHP's ini reader allows it).
          const semi = text.indexOf(' ;', vs);
          if (semi >= 0 && semi < ve && !/["']/.test(text.slice(vs, semi))) {
            ve = semi;
            while (ve > vs && (text[ve - 1] === ' ' || text[ve - 1] === '\t')) ve--;
          }
          let value = text.slice(vs, ve);
          if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0]) value = value.slice(1, -1);
          entries.push({ section, key: text.slice(a, ke).trim(), value, keyStart: a, valueStart: vs, valueEnd: ve });
        }
      }
    }
    i = e + 1;
  }
  return { sections, entries };
}
