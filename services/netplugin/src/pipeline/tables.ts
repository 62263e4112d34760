/**
 * Every table of the agent's pipeline, in packet order (table id = position).
 * To add a table: declare it here at its place, give it a `### Name` section
 * in docs/ovs-pipeline.md, and list it in the requiredTables of the feature
 * that fills it. Flows only `goto_table` forward.
 */
import { Stage, defineTable } from './framework';

/**
 * Tells where a packet came from and which network it is in: a local
 * endpoint's port (by ofport), a VXLAN tunnel (by tun_id = VNI) or a VLAN
 * uplink (by VLAN id, popped). Sets PktSourceField and NetworkIdField.
 * Anything else is dropped.
 */
export const ClassifierTable = defineTable('Classifier', Stage.Classifier);

/**
 * The netProfile of local endpoints (features/egress-qos.ts): their outgoing
 * traffic goes through the endpoint's OpenFlow meter (bandwidth, burst) and
 * gets its IP header's DSCP set. Endpoints without a profile miss to ArpResponder.
 */
export const EgressQosTable = defineTable('EgressQos', Stage.Qos);

/**
 * Answers ARP requests from local endpoints for known addresses of their
 * network (local and remote endpoints, and the gateway) by turning the
 * request into the reply and sending it back out of the port it came in on.
 * Everything else goes on to L2Forwarding.
 */
export const ArpResponderTable = defineTable('ArpResponder', Stage.Arp);

/**
 * IP and IPv6 packets go through conntrack in the zone of their network
 * (ct(zone=NetworkIdField), resubmitted to ConntrackState); everything else
 * (ARP) skips policy. DNS to the gateway (the agent's responder) skips it too.
 */
export const ConntrackZoneTable = defineTable('ConntrackZone', Stage.Conntrack);

/**
 * Replies of committed connections (+est+rpl) and related packets (+rel)
 * pass to L2Forwarding: policy decides a connection on its original
 * direction only. Everything else goes on to be classified and decided.
 */
export const ConntrackStateTable = defineTable('ConntrackState', Stage.Conntrack);

/**
 * serviceLB (features/service-lb.ts): a new connection from a local endpoint
 * to a service's VIP and port loads the provider port and goes to the
 * service's select group, whose bucket (one per backend) loads the backend
 * address and resubmits to ServiceDnat. Anything else still addressed to a
 * VIP (no providers, a port the service does not have, ICMP) is dropped.
 * Other packets go on to ServiceDstMac.
 */
export const ServiceLbTable = defineTable('ServiceLB', Stage.Conntrack);

/**
 * The backend a bucket chose: sets its MAC as destination and commits the
 * connection with a destination NAT to the backend's address and provider
 * port (ct(commit,nat(dst=...))), recirculating into ServiceDstMac.
 */
export const ServiceDnatTable = defineTable('ServiceDnat', Stage.Conntrack);

/**
 * Packets conntrack translated to a backend (ct_state +dnat, original
 * direction: every packet after the first, once ConntrackZone's ct(nat) has
 * translated them) get the backend's MAC as destination, so L2Forwarding
 * delivers them to it on this host or through the tunnel. Then SrcGroup.
 */
export const ServiceDstMacTable = defineTable('ServiceDstMac', Stage.Conntrack);

/**
 * The sender's group of packets from other hosts, by source address within
 * the network (SrcGroupField); local endpoints' group is set by Classifier.
 */
export const SrcGroupTable = defineTable('SrcGroup', Stage.Policy);

/**
 * The receiver's group by destination address within the network
 * (DstGroupField), and ToLocalMark when the receiver is on this host.
 */
export const DstGroupTable = defineTable('DstGroup', Stage.Policy);

/**
 * `out` rules of the sender's group, for packets from local endpoints:
 * allow goes on to IngressRule, deny drops, no match goes on (allow).
 */
export const EgressRuleTable = defineTable('EgressRule', Stage.Policy);

/**
 * `in` rules of the receiver's group, for packets to local endpoints:
 * allow goes on to ConntrackCommit, deny drops, no match goes on (allow).
 */
export const IngressRuleTable = defineTable('IngressRule', Stage.Policy);

/** Commits the connection the packet opens (ct(commit) in its zone), then L2Forwarding. */
export const ConntrackCommitTable = defineTable('ConntrackCommit', Stage.Policy);

/**
 * Forwards by destination MAC within the packet's network: to a local port,
 * into a VXLAN tunnel with the network's VNI, or onto the uplink tagged with
 * the network's VLAN. Unknown destinations go to Flood.
 */
export const L2ForwardingTable = defineTable('L2Forwarding', Stage.Forwarding);

/**
 * Broadcast and unknown unicast: from a local port, copies to the network's
 * other local ports and to every other host (its tunnels with the VNI, or the
 * uplink tagged); from a tunnel or an uplink, to the local ports only.
 */
export const FloodTable = defineTable('Flood', Stage.Output);
