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
 * Answers ARP requests from local endpoints for known addresses of their
 * network (local and remote endpoints, and the gateway) by turning the
 * request into the reply and sending it back out of the port it came in on.
 * Everything else goes on to L2Forwarding.
 */
export const ArpResponderTable = defineTable('ArpResponder', Stage.Arp);

/**
 * Forwards by destination MAC within the packet's network: to a local port,
 * into a VXLAN tunnel with the network's VNI, or onto the uplink tagged with
 * the network's VLAN. Unknown destinations go to Flood.
 */
export const L2ForwardingTable = defineTable('L2Forwarding', Stage.Forwarding);

/**
 * Broadcast and unknown unicast: copies to the local ports of the packet's
 * network only, never to tunnels or uplinks (every host answers ARP itself).
 */
export const FloodTable = defineTable('Flood', Stage.Output);
