import type { TopologyRule } from '../rule';
import { passProtocolMismatch } from './passProtocolMismatch';
import { passTargetWithoutListener } from './passTargetWithoutListener';
import { readTimeoutBelowAppTimeout } from './readTimeoutBelowAppTimeout';
import { upstreamKeepaliveOutlivesApp } from './upstreamKeepaliveOutlivesApp';
import { haproxyServerWithoutListener } from './haproxyServerWithoutListener';
import { haproxyTimeoutBelowNginxTimeout } from './haproxyTimeoutBelowNginxTimeout';
import { caddyKeepaliveOutlivesApp } from './caddyKeepaliveOutlivesApp';

export const topologyRules: TopologyRule[] = [passTargetWithoutListener, passProtocolMismatch, readTimeoutBelowAppTimeout, upstreamKeepaliveOutlivesApp, haproxyServerWithoutListener, haproxyTimeoutBelowNginxTimeout, caddyKeepaliveOutlivesApp];
