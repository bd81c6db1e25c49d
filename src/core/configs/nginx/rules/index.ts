// Every nginx rule, in the order findings are listed. One file each; this list is the registry.
import type { NginxRule } from '../rule';
import { httpsUpstreamWithoutSni } from './httpsUpstreamWithoutSni';
import { bufferSizeBelowDefault } from './bufferSizeBelowDefault';
import { invalidBufferSizes } from './invalidBufferSizes';
import { proxyPassUriRewrite } from './proxyPassUriRewrite';
import { proxyPassUriNotAllowed } from './proxyPassUriNotAllowed';
import { proxySetHeaderDropsInherited } from './proxySetHeaderDropsInherited';
import { upstreamWithoutServers } from './upstreamWithoutServers';
import { variableProxyPassWithoutResolver } from './variableProxyPassWithoutResolver';
import { upstreamHostnameResolvedOnce } from './upstreamHostnameResolvedOnce';
import { proxyPassUnknownUpstream } from './proxyPassUnknownUpstream';
import { upstreamKeepaliveWithoutHttp11 } from './upstreamKeepaliveWithoutHttp11';
import { errorLogOff } from './errorLogOff';
import { connectTimeoutTooLong } from './connectTimeoutTooLong';

export const nginxRules: NginxRule[] = [httpsUpstreamWithoutSni, bufferSizeBelowDefault, invalidBufferSizes, proxyPassUriRewrite, proxyPassUriNotAllowed, proxySetHeaderDropsInherited, upstreamWithoutServers, variableProxyPassWithoutResolver, upstreamHostnameResolvedOnce, proxyPassUnknownUpstream, upstreamKeepaliveWithoutHttp11, errorLogOff, connectTimeoutTooLong];
