/**
 * Test-only helpers shared by the services' tests: raw HTTP over TCP or a unix
 * socket (requests no HTTP client would send) and fast-check arbitraries for
 * hostile input. Services take it as a devDependency; no production code
 * imports it.
 */
export { SPECIAL_STRINGS, NUMBER_TOKENS, deepJson, deepJsonText, hostileJsonValue, hostileString, notJson, objectText } from './hostile';
export type { ExchangeOptions, RawRequest, RawResponse, RawTarget } from './raw-http';
export { encodeRequest, parseResponse, rawExchange, rawRequest } from './raw-http';
export type { FuzzCounters, FuzzRunOptions, PropertyReport } from './fuzz-report';
export { checkProperty, formatReports, newCounters } from './fuzz-report';
