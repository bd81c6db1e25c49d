// Every HAProxy rule, in the order findings are listed. One file each; this list is the registry.
import type { HaproxyRule } from '../rule';
import { missingTimeouts } from './missingTimeouts';
import { unknownBackend } from './unknownBackend';
import { backendWithoutServers } from './backendWithoutServers';
import { serversWithoutCheck } from './serversWithoutCheck';
import { sslServerWithoutSni } from './sslServerWithoutSni';
import { sslServerWithoutCaFile } from './sslServerWithoutCaFile';
import { sslVerifyNone } from './sslVerifyNone';
import { bufsizeBelowDefault } from './bufsizeBelowDefault';

export const haproxyRules: HaproxyRule[] = [missingTimeouts, unknownBackend, backendWithoutServers, serversWithoutCheck, sslServerWithoutSni, sslServerWithoutCaFile, sslVerifyNone, bufsizeBelowDefault];
