/** The features of the pipeline, in the order their flows are computed. */
import type { Feature } from '../framework';
import { arpResponderFeature } from './arp-responder';
import { classifierFeature } from './classifier';
import { conntrackFeature } from './conntrack';
import { dnsInterceptorFeature } from './dns-interceptor';
import { egressQosFeature } from './egress-qos';
import { floodFeature } from './flood';
import { groupClassifierFeature } from './group-classifier';
import { l2ForwardingFeature } from './l2-forwarding';
import { policyRulesFeature } from './policy-rules';
import { serviceLbFeature } from './service-lb';

export const PIPELINE_FEATURES: readonly Feature[] = [
  classifierFeature,
  egressQosFeature,
  arpResponderFeature,
  conntrackFeature,
  serviceLbFeature,
  groupClassifierFeature,
  policyRulesFeature,
  l2ForwardingFeature,
  dnsInterceptorFeature,
  floodFeature,
];
