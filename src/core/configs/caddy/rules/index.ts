// Every Caddyfile rule, in the order findings are listed. One file each; this list is the registry.
import type { CaddyRule } from '../rule';
import { upstreamsWithoutHealthChecks } from './upstreamsWithoutHealthChecks';
import { httpsUpstreamByIpWithoutServerName } from './httpsUpstreamByIpWithoutServerName';
import { httpsUpstreamKeepsClientHost } from './httpsUpstreamKeepsClientHost';
import { tlsInsecureSkipVerify } from './tlsInsecureSkipVerify';

export const caddyRules: CaddyRule[] = [upstreamsWithoutHealthChecks, httpsUpstreamByIpWithoutServerName, httpsUpstreamKeepsClientHost, tlsInsecureSkipVerify];
