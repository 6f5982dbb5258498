// The agent's answer to an unexpected failure, as tests check it: a JSON 500 and one log line.
import type { Response } from 'supertest';
import { expect } from 'vitest';

export function expectInternalError(
  response: Response,
  lines: Record<string, unknown>[],
  path: string,
  cause: string,
): void {
  expect(response.status).toBe(500);
  expect(response.body).toEqual({
    error: 'internal_error',
    message: 'the request failed; see the agent log',
  });
  expect(lines).toEqual([
    expect.objectContaining({
      event: 'http_request_failed',
      path,
      err: expect.objectContaining({ message: cause }),
    }),
  ]);
}
