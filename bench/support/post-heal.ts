/** POSTing a notification to an agent's /heal, as Alertmanager does: the benchmarks' one way to send. */
import { type Agent, request } from 'node:http';

/**
 * Sends `payload` (JSON text) to http://127.0.0.1:PORT/heal with `token` as the bearer
 * token, over `agent`'s connections, and resolves with the answer's status once its body
 * was read (and dropped).
 */
export function postHeal(
  agent: Agent,
  port: number,
  token: string,
  payload: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/heal',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
