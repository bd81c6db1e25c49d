import type { KubernetesRule } from '../rule';
import { ingressBackendUnknownService } from './ingressBackendUnknownService';
import { noReadinessProbe } from './noReadinessProbe';
import { containerAppBindsLoopback } from './containerAppBindsLoopback';
import { ingressReadTimeoutBelowAppTimeout } from './ingressReadTimeoutBelowAppTimeout';
import { ingressKeepaliveOutlivesApp } from './ingressKeepaliveOutlivesApp';
import { serviceSelectsNoPods } from './serviceSelectsNoPods';
import { serviceTargetPortNotInPods } from './serviceTargetPortNotInPods';

export const kubernetesRules: KubernetesRule[] = [serviceSelectsNoPods, serviceTargetPortNotInPods, ingressBackendUnknownService, noReadinessProbe, containerAppBindsLoopback, ingressReadTimeoutBelowAppTimeout, ingressKeepaliveOutlivesApp];
