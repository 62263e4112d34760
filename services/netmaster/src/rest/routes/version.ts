/** `GET /version` (netctl version) and `GET /info` (which netmaster leads). */
import { buildInfo } from '@contiv/runtime';
import type { FastifyInstance } from 'fastify';
import type { Gate } from '../../gate';

export function registerVersionRoutes(app: FastifyInstance, gate: Gate, advertiseAddress: string): void {
  app.get('/version', async () => {
    const b = buildInfo();
    return { version: b.version, gitCommit: b.gitCommit, buildTime: b.buildTime };
  });
  app.get('/info', async () => ({
    'local-ip': advertiseAddress,
    'leader-ip': gate.leaderAddress,
    'current-state': gate.canWrite ? 'leader' : gate.canRead ? 'follower' : 'starting',
  }));
}
