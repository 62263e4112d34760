/** The agent's OpenFlow pipeline (docs/ovs-pipeline.md). */
export type { DesiredLocalEndpoint, DesiredNetwork, DesiredRemoteEndpoint, DesiredRemoteHost, DesiredState, NetworkKey } from './desired-state';
export { GATEWAY_MAC, networkKeyOf } from './desired-state';
export type { Feature, FeatureContext, ObjectFlows, Table } from './framework';
export { CookieCategory, Priority, Stage, allTables, makeCookie, tableNames, COOKIE_ROUND_MASK } from './framework';
export type { PipelineReconcilerOptions, ReconcileResult } from './reconciler';
export { PipelineReconciler, computeFlowSet } from './reconciler';
export { allFlows } from './flow-cache';
export { PIPELINE_FEATURES } from './features/index';
export { ArpResponderTable, ClassifierTable, FloodTable, L2ForwardingTable } from './tables';
