import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverErrorMessage } from './error-message';

void test('our netmaster: {"error":{"code","message"}}', () => {
  const body = JSON.stringify({ error: { code: 'NOT_FOUND', message: 'tenant blue not found' } });
  assert.equal(serverErrorMessage(404, 'Not Found', body), 'tenant blue not found');
});

void test('Contiv: 500 text/plain, message then Go stack frames', () => {
  const body = 'Tenant not found\ngithub.com/contiv/netplugin/netmaster/objApi.(*APIController).NetworkCreate [apiController.go 1004]\n';
  assert.equal(serverErrorMessage(500, 'Internal Server Error', body), 'Tenant not found');
});

void test('fastify default error bodies and bare strings', () => {
  assert.equal(
    serverErrorMessage(404, 'Not Found', '{"message":"Route GET:/x not found","error":"Not Found","statusCode":404}'),
    'Route GET:/x not found',
  );
  assert.equal(serverErrorMessage(400, '', '{"error":"bad thing"}'), 'bad thing');
  assert.equal(serverErrorMessage(500, '', '"default:net1 in use"'), 'default:net1 in use');
});

void test('an empty or unrecognised body falls back to the status line, on one line', () => {
  assert.equal(serverErrorMessage(502, 'Bad Gateway', ''), 'HTTP 502 Bad Gateway');
  assert.equal(serverErrorMessage(500, 'Internal Server Error', '{"weird":\n true}'), 'HTTP 500 Internal Server Error: {"weird": true}');
  assert.equal(serverErrorMessage(400, '', '{"error":{"message":"two\\nlines"}}'), 'two lines');
});
