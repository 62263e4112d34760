/** What a route is: a Docker method path, its subsystem (for error shapes) and a handler. */
import type { Logger } from '@contiv/runtime';
import type { AgentConnection } from '../agent-connection';
import type { Json } from '../docker-types';
import type { Subsystem } from '../error-map';

export interface RouteContext {
  /** Random per HTTP request; sent to the agent as x-request-id. */
  readonly requestId: string;
  readonly agent: AgentConnection;
  readonly logger: Logger;
}

/** `body` is the decoded JSON, or undefined for an empty body. Returns the reply object. */
export type RouteHandler = (body: Json | undefined, ctx: RouteContext) => Promise<object>;

export interface Route {
  readonly subsystem: Subsystem;
  readonly handle: RouteHandler;
}

/** Keyed by path, e.g. `/NetworkDriver.CreateNetwork`. */
export type RouteTable = ReadonlyMap<string, Route>;
