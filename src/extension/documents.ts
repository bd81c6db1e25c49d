// Which documents are nginx, HAProxy, Apache httpd or Caddy configs for us, and the snapshot of open documents a lint reads:
// their unsaved text (so typing is linted) and their versions (so fixes can be dropped once the text moved on).
import * as vscode from 'vscode';
import { isHaproxyFileName } from '../core/configs/haproxy/lint';
import { isCaddyFileName } from '../core/configs/caddy/lint';
import { configKindOf } from '../core/lint';
import type { ConfigKind } from '../core/lint';

/** Ours plus the ids the popular nginx extensions use, so we work whichever extension owns the language. */
export const NGINX_LANGUAGE_IDS = ['nginx', 'NGINX', 'nginx-conf'];

export const NGINX_FILE_PATTERNS = [
  '**/nginx.conf',
  '**/*.nginx',
  '**/*.nginxconf',
  '**/sites-available/*',
  '**/sites-enabled/*',
  '**/conf.d/*.conf',
  '**/nginx/**/*.conf',
  '**/snippets/*.conf',
  '**/*.conf.template',
  '**/nginx*.conf',
];

export const NGINX_SELECTOR: vscode.DocumentFilter[] = [
  ...NGINX_LANGUAGE_IDS.map((language) => ({ scheme: 'file', language })),
  ...NGINX_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
];

/** Ours; HAProxy extensions that use another id are covered by the file patterns below. */
export const HAPROXY_LANGUAGE_IDS = ['haproxy'];

/** The names the core's isHaproxyFileName knows (other `*.cfg` files are recognised by the index's sniffing). */
export const HAPROXY_FILE_PATTERNS = ['**/haproxy*.cfg', '**/haproxy*.conf', '**/haproxy/**/*.cfg'];

export const HAPROXY_SELECTOR: vscode.DocumentFilter[] = [
  ...HAPROXY_LANGUAGE_IDS.map((language) => ({ scheme: 'file', language })),
  ...HAPROXY_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
];

/** Ours, the same id the popular Apache extension (mrmlnc.vscode-apache) uses, so either can colour the file. */
export const APACHE_LANGUAGE_IDS = ['apacheconf'];

/**
 * The names the core's isApacheFileName knows. sites-enabled/ is shared with nginx: a vhost there is
 * recognised by its content (the index's sniffing, and `languageKind` below).
 */
export const APACHE_FILE_PATTERNS = [
  '**/apache2.conf',
  '**/httpd.conf',
  '**/httpd-*.conf',
  '**/apache2/**/*.conf',
  '**/httpd/**/*.conf',
  '**/mods-enabled/*.conf',
  '**/mods-available/*.conf',
  '**/conf-enabled/*.conf',
  '**/conf-available/*.conf',
  '**/conf.modules.d/*.conf',
];

export const APACHE_SELECTOR: vscode.DocumentFilter[] = [
  ...APACHE_LANGUAGE_IDS.map((language) => ({ scheme: 'file', language })),
  ...APACHE_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
];

/** The official Caddy extension's id (caddyserver/vscode-caddyfile): ours is the same, so the two coexist. */
export const CADDY_LANGUAGE_IDS = ['caddyfile'];

/**
 * Names that are always Caddyfiles; `Caddyfile.dev` and other files under `caddy/` are recognised by the
 * index (a pattern cannot leave out `Caddyfile.json`).
 */
export const CADDY_FILE_PATTERNS = ['**/Caddyfile', '**/caddyfile', '**/*.caddyfile', '**/*.Caddyfile', '**/*.caddy'];

export const CADDY_SELECTOR: vscode.DocumentFilter[] = [
  ...CADDY_LANGUAGE_IDS.map((language) => ({ scheme: 'file', language })),
  ...CADDY_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
];

export const CONFIG_SELECTOR: vscode.DocumentFilter[] = [...NGINX_SELECTOR, ...HAPROXY_SELECTOR, ...APACHE_SELECTOR, ...CADDY_SELECTOR];

/**
 * Providers also look at other `*.conf` / `*.cfg` files and files under `caddy/`; `isConfigDocument`
 * keeps those the index recognised by content.
 */
export const PROVIDER_SELECTOR: vscode.DocumentFilter[] = [
  ...CONFIG_SELECTOR,
  { scheme: 'file', pattern: '**/*.conf' },
  { scheme: 'file', pattern: '**/*.cfg' },
  { scheme: 'file', pattern: '**/caddy/**' },
  // Kubernetes manifests: YAML files the index recognised by content (apiVersion: and kind:).
  { scheme: 'file', pattern: '**/*.{yaml,yml}' },
];

export interface KnownConfigs {
  has(file: string): boolean;
}

/** An nginx, HAProxy, Apache or Caddy config: by language, by name, or recognised by the workspace index. */
export function isConfigDocument(doc: vscode.TextDocument, known: KnownConfigs): boolean {
  if (doc.uri.scheme !== 'file' || doc.isClosed) return false;
  return vscode.languages.match(CONFIG_SELECTOR, doc) > 0 || known.has(doc.uri.fsPath);
}

export function isHaproxyDocument(doc: vscode.TextDocument): boolean {
  const byLanguage = languageKind(doc);
  if (byLanguage) return byLanguage === 'haproxy';
  return isHaproxyFileName(doc.uri.fsPath) || doc.uri.fsPath.endsWith('.cfg');
}

/** A Caddyfile: by language or name, or a file under `caddy/` that the index recognised as one. */
export function isCaddyDocument(doc: vscode.TextDocument, known?: KnownKinds): boolean {
  const byLanguage = languageKind(doc);
  if (byLanguage) return byLanguage === 'caddy';
  return isCaddyFileName(doc.uri.fsPath) || known?.kindOf?.(doc.uri.fsPath) === 'caddy';
}

export interface KnownKinds {
  kindOf?(file: string): ConfigKind | undefined;
}

/**
 * The kind the document's language says (a language picked by hand beats the file name), if any. The nginx
 * language is also ours for every file under sites-enabled/ and conf.d/, which Apache uses too: there an
 * Apache-looking file is left to the core's name and content rules instead.
 */
export function languageKind(doc: vscode.TextDocument): ConfigKind | undefined {
  if (HAPROXY_LANGUAGE_IDS.includes(doc.languageId)) return 'haproxy';
  if (APACHE_LANGUAGE_IDS.includes(doc.languageId)) return 'apache';
  if (NGINX_LANGUAGE_IDS.includes(doc.languageId)) return contentKind(doc) === 'apache' ? undefined : 'nginx';
  if (CADDY_LANGUAGE_IDS.includes(doc.languageId)) return 'caddy';
  return undefined;
}

/** What the core makes of the document's name and (open, possibly unsaved) text. */
function contentKind(doc: vscode.TextDocument): ConfigKind | undefined {
  return configKindOf(doc.uri.fsPath, () => doc.getText().slice(0, 65536));
}

export function isApacheDocument(doc: vscode.TextDocument): boolean {
  return (languageKind(doc) ?? contentKind(doc)) === 'apache';
}

/** An nginx config (hover explains nginx directives only). */
export function isNginxDocument(doc: vscode.TextDocument, known: KnownConfigs & KnownKinds): boolean {
  if (/\.ya?ml$/i.test(doc.uri.fsPath) || known.kindOf?.(doc.uri.fsPath) === 'kubernetes') return false; // Kubernetes manifests
  return isConfigDocument(doc, known) && !isHaproxyDocument(doc) && !isApacheDocument(doc) && !isCaddyDocument(doc, known);
}

export interface OpenSnapshot {
  /** Path → text of open config documents and of any dirty document (an included file may have any name). */
  overlay: Map<string, string>;
  /** Path → document version for every entry of `overlay`. */
  versions: Map<string, number>;
}

export function snapshotOpenDocuments(known: KnownConfigs): OpenSnapshot {
  const overlay = new Map<string, string>();
  const versions = new Map<string, number>();
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.uri.scheme !== 'file' || doc.isClosed) continue;
    if (!doc.isDirty && !isConfigDocument(doc, known)) continue;
    overlay.set(doc.uri.fsPath, doc.getText());
    versions.set(doc.uri.fsPath, doc.version);
  }
  return { overlay, versions };
}

export function openDocument(file: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && !d.isClosed && d.uri.fsPath === file);
}

/**
 * True while every file among `files` still has the text a result was computed on: the same version
 * for documents that were open then, and no unsaved change for files that were read from disk.
 */
export function stillCurrent(versions: ReadonlyMap<string, number>, files: Iterable<string>): boolean {
  for (const f of files) {
    const doc = openDocument(f);
    const v = versions.get(f);
    if (v !== undefined ? !doc || doc.version !== v : doc?.isDirty) return false;
  }
  return true;
}
