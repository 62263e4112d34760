/**
 * OpenFlow 1.3 numbers (openflow-1.1.h / -1.3.h / -common.h) and the Nicira
 * and ONF extension numbers OVS uses (nicira-ext.h, ofp-msgs.h,
 * ofp-actions.c), as in Open vSwitch 3.1.
 */

export const OFP13_VERSION = 0x04;
export const OFP_HEADER_LEN = 8;
/** A message's length field is 16 bits. */
export const OFP_MAX_MESSAGE_LEN = 0xffff;

export const NX_VENDOR_ID = 0x00002320;
export const ONF_VENDOR_ID = 0x4f4e4600;

/** ofp_type (OpenFlow 1.3). */
export const OFPT = {
  HELLO: 0,
  ERROR: 1,
  ECHO_REQUEST: 2,
  ECHO_REPLY: 3,
  EXPERIMENTER: 4,
  FEATURES_REQUEST: 5,
  FEATURES_REPLY: 6,
  GET_CONFIG_REQUEST: 7,
  GET_CONFIG_REPLY: 8,
  SET_CONFIG: 9,
  PACKET_IN: 10,
  FLOW_REMOVED: 11,
  PORT_STATUS: 12,
  PACKET_OUT: 13,
  FLOW_MOD: 14,
  GROUP_MOD: 15,
  PORT_MOD: 16,
  TABLE_MOD: 17,
  MULTIPART_REQUEST: 18,
  MULTIPART_REPLY: 19,
  BARRIER_REQUEST: 20,
  BARRIER_REPLY: 21,
  ROLE_REQUEST: 24,
  ROLE_REPLY: 25,
  GET_ASYNC_REQUEST: 26,
  GET_ASYNC_REPLY: 27,
  SET_ASYNC: 28,
  METER_MOD: 29,
} as const;

/** ONF experimenter message types for OpenFlow 1.3 (EXT-230 bundles). */
export const ONFT13_BUNDLE_CONTROL = 2300;
export const ONFT13_BUNDLE_ADD_MESSAGE = 2301;

/** Hello element type carrying the version bitmap. */
export const OFPHET_VERSIONBITMAP = 1;

/** Reserved port numbers (32-bit, OpenFlow 1.1+). */
export const OFPP = {
  /** Highest number of a physical port. */
  MAX: 0xffffff00,
  IN_PORT: 0xfffffff8,
  TABLE: 0xfffffff9,
  NORMAL: 0xfffffffa,
  FLOOD: 0xfffffffb,
  ALL: 0xfffffffc,
  CONTROLLER: 0xfffffffd,
  LOCAL: 0xfffffffe,
  ANY: 0xffffffff,
} as const;

/** OVS's 16-bit view of ports: OF1.1+ numbers >= OFPP.MAX map to 0xff00 + (n - 0xffffff00). */
export const OFPP11_OFFSET = 0xffff0000;

/** Reserved group numbers. */
export const OFPG = { MAX: 0xffffff00, ALL: 0xfffffffc, ANY: 0xffffffff } as const;

/** Table numbers: 0xff = all tables (requests) / "no table". */
export const OFPTT_ALL = 0xff;

export const OFP_NO_BUFFER = 0xffffffff;
/** max_len for output to CONTROLLER: send the whole packet. */
export const OFPCML_NO_BUFFER = 0xffff;
export const OFP_DEFAULT_PRIORITY = 0x8000;

export const OFPFC = { ADD: 0, MODIFY: 1, MODIFY_STRICT: 2, DELETE: 3, DELETE_STRICT: 4 } as const;
export type FlowModCommand = 'add' | 'modify' | 'modify_strict' | 'delete' | 'delete_strict';
export const FLOW_MOD_COMMANDS: readonly FlowModCommand[] = ['add', 'modify', 'modify_strict', 'delete', 'delete_strict'];

/** ofp_flow_mod_flags. */
export const OFPFF = { SEND_FLOW_REM: 1, CHECK_OVERLAP: 2, RESET_COUNTS: 4, NO_PKT_COUNTS: 8, NO_BYT_COUNTS: 16 } as const;

export const OFPGC = { ADD: 0, MODIFY: 1, DELETE: 2 } as const;
export type GroupModCommand = 'add' | 'modify' | 'delete';
export const GROUP_MOD_COMMANDS: readonly GroupModCommand[] = ['add', 'modify', 'delete'];
export const OFPGT = { ALL: 0, SELECT: 1, INDIRECT: 2, FF: 3 } as const;
export type GroupType = 'all' | 'select' | 'indirect' | 'ff';
export const GROUP_TYPES: readonly GroupType[] = ['all', 'select', 'indirect', 'ff'];

/** ofp_meter_mod_command. */
export const OFPMC = { ADD: 0, MODIFY: 1, DELETE: 2 } as const;
export type MeterModCommand = 'add' | 'modify' | 'delete';
export const METER_MOD_COMMANDS: readonly MeterModCommand[] = ['add', 'modify', 'delete'];
/** ofp_meter_flags: rates in kbit/s (else packets/s), bands have a burst size, keep statistics. */
export const OFPMF = { KBPS: 1, PKTPS: 2, BURST: 4, STATS: 8 } as const;
/** ofp_meter_band_type. */
export const OFPMBT = { DROP: 1, DSCP_REMARK: 2, EXPERIMENTER: 0xffff } as const;
/** Meter ids 1..OFPM_MAX are the switch's to give; OFPM_ALL means every meter (delete, dump). */
export const OFPM = { MAX: 0xffff0000, SLOWPATH: 0xfffffffd, CONTROLLER: 0xfffffffe, ALL: 0xffffffff } as const;

/** ofp_multipart_type. */
export const OFPMP = {
  DESC: 0,
  FLOW: 1,
  AGGREGATE: 2,
  TABLE: 3,
  PORT_STATS: 4,
  QUEUE: 5,
  GROUP: 6,
  GROUP_DESC: 7,
  GROUP_FEATURES: 8,
  METER: 9,
  METER_CONFIG: 10,
  METER_FEATURES: 11,
  TABLE_FEATURES: 12,
  PORT_DESC: 13,
  EXPERIMENTER: 0xffff,
} as const;
export const OFPMPF_MORE = 1;

/** ofp_instruction_type. */
export const OFPIT = { GOTO_TABLE: 1, WRITE_METADATA: 2, WRITE_ACTIONS: 3, APPLY_ACTIONS: 4, CLEAR_ACTIONS: 5, METER: 6 } as const;

/** ofp_action_type (OpenFlow 1.1+ numbering). */
export const OFPAT = {
  OUTPUT: 0,
  PUSH_VLAN: 17,
  POP_VLAN: 18,
  SET_QUEUE: 21,
  GROUP: 22,
  SET_NW_TTL: 23,
  DEC_NW_TTL: 24,
  SET_FIELD: 25,
  EXPERIMENTER: 0xffff,
} as const;

/** Nicira action subtypes (nicira-ext.h / ofp-actions.c). */
export const NXAST = {
  RESUBMIT: 1,
  SET_TUNNEL: 2,
  REG_MOVE: 6,
  REG_LOAD: 7,
  NOTE: 8,
  SET_TUNNEL64: 9,
  RESUBMIT_TABLE: 14,
  OUTPUT_REG: 15,
  LEARN: 16,
  EXIT: 17,
  DEC_TTL: 18,
  CONTROLLER: 20,
  DEC_TTL_CNT_IDS: 21,
  REG_LOAD2: 33,
  CONJUNCTION: 34,
  CT: 35,
  NAT: 36,
  CONTROLLER2: 37,
  CLONE: 42,
  CT_CLEAR: 43,
  RESUBMIT_TABLE_CT: 44,
} as const;

/** NXAST_CT flags and "no recirculation" table. */
export const NX_CT_F_COMMIT = 1;
export const NX_CT_F_FORCE = 2;
export const NX_CT_RECIRC_NONE = 0xff;

/** NXAST_NAT flags (only src/dst are built) and which ranges follow the header, in this order. */
export const NX_NAT_F_SRC = 1;
export const NX_NAT_F_DST = 2;
export const NX_NAT_RANGE = { IPV4_MIN: 1, IPV4_MAX: 2, IPV6_MIN: 4, IPV6_MAX: 8, PROTO_MIN: 16, PROTO_MAX: 32 } as const;

export const OFPBCT = {
  OPEN_REQUEST: 0,
  OPEN_REPLY: 1,
  CLOSE_REQUEST: 2,
  CLOSE_REPLY: 3,
  COMMIT_REQUEST: 4,
  COMMIT_REPLY: 5,
  DISCARD_REQUEST: 6,
  DISCARD_REPLY: 7,
} as const;
export type BundleControlType = 'open_request' | 'open_reply' | 'close_request' | 'close_reply' | 'commit_request' | 'commit_reply' | 'discard_request' | 'discard_reply';
export const BUNDLE_CONTROL_TYPES: readonly BundleControlType[] = [
  'open_request',
  'open_reply',
  'close_request',
  'close_reply',
  'commit_request',
  'commit_reply',
  'discard_request',
  'discard_reply',
];
export const OFPBF_ATOMIC = 1;
export const OFPBF_ORDERED = 2;

/** OFPET_EXPERIMENTER in OpenFlow 1.2+. */
export const OFPET_EXPERIMENTER = 0xffff;
