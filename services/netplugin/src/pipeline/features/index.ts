/** The features of the pipeline, in the order their flows are computed. */
import type { Feature } from '../framework';
import { arpResponderFeature } from './arp-responder';
import { classifierFeature } from './classifier';
import { dnsInterceptorFeature } from './dns-interceptor';
import { floodFeature } from './flood';
import { l2ForwardingFeature } from './l2-forwarding';

export const PIPELINE_FEATURES: readonly Feature[] = [classifierFeature, arpResponderFeature, l2ForwardingFeature, dnsInterceptorFeature, floodFeature];
