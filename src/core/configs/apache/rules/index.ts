// Every Apache httpd rule, in the order findings are listed. One file each; this list is the registry.
import type { ApacheRule } from '../rule';
import { proxyPassWithoutReverse } from './proxyPassWithoutReverse';
import { httpsBackendWithoutSslProxyEngine } from './httpsBackendWithoutSslProxyEngine';
import { proxyPassShadowed } from './proxyPassShadowed';
import { proxyPassTrailingSlashMismatch } from './proxyPassTrailingSlashMismatch';
import { unknownBalancer } from './unknownBalancer';
import { balancerWithoutMembers } from './balancerWithoutMembers';
import { errorLogDiscarded } from './errorLogDiscarded';
import { sslProxyChecksOff } from './sslProxyChecksOff';

export const apacheRules: ApacheRule[] = [
  proxyPassWithoutReverse,
  httpsBackendWithoutSslProxyEngine,
  sslProxyChecksOff,
  proxyPassShadowed,
  proxyPassTrailingSlashMismatch,
  unknownBalancer,
  balancerWithoutMembers,
  errorLogDiscarded,
];
