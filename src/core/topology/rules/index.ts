import type { TopologyRule } from '../rule';
import { passProtocolMismatch } from './passProtocolMismatch';
import { passTargetWithoutListener } from './passTargetWithoutListener';
import { readTimeoutBelowAppTimeout } from './readTimeoutBelowAppTimeout';
import { upstreamKeepaliveOutlivesApp } from './upstreamKeepaliveOutlivesApp';

export const topologyRules: TopologyRule[] = [passTargetWithoutListener, passProtocolMismatch, readTimeoutBelowAppTimeout, upstreamKeepaliveOutlivesApp];
