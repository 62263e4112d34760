/**
 * (b) The Docker-first path on one host with a standalone dockerd: a network made
 * with `docker network create -d netplugin` is a full Contiv network.
 */
import { describe } from 'node:test';
import { useStack } from '../harness/stack';
import { dockerFirstScenario } from './support';

void describe('Docker-first workflow (standalone engine)', { timeout: 600_000 }, () => {
  const stack = useStack();
  dockerFirstScenario(stack);
});
