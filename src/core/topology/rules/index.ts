import type { TopologyRule } from '../rule';
import { passProtocolMismatch } from './passProtocolMismatch';
import { passTargetWithoutListener } from './passTargetWithoutListener';
import { readTimeoutBelowAppTimeout } from './readTimeoutBelowAppTimeout';
import { upstreamKeepaliveOutlivesApp } from './upstreamKeepaliveOutlivesApp';
import { haproxyServerWithoutListener } from './haproxyServerWithoutListener';
import { haproxyTimeoutBelowNginxTimeout } from './haproxyTimeoutBelowNginxTimeout';
import { caddyKeepaliveOutlivesApp } from './caddyKeepaliveOutlivesApp';
import { apacheTargetWithoutListener } from './apacheTargetWithoutListener';
import { apacheTimeoutBelowAppTimeout } from './apacheTimeoutBelowAppTimeout';
import { caddyUpstreamWithoutListener } from './caddyUpstreamWithoutListener';

export const topologyRules: TopologyRule[] = [passTargetWithoutListener, passProtocolMismatch, readTimeoutBelowAppTimeout, upstreamKeepaliveOutlivesApp, haproxyServerWithoutListener, haproxyTimeoutBelowNginxTimeout, caddyKeepaliveOutlivesApp, apacheTargetWithoutListener, apacheTimeoutBelowAppTimeout, caddyUpstreamWithoutListener];
