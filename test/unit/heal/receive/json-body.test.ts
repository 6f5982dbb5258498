import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BodyError,
  checkJsonHeaders,
  parseContentType,
  readJsonBody,
} from '../../../../src/heal/receive/json-body.js';

const LIMIT = 64;

describe('parseContentType', () => {
  it('lower-cases the media type and the charset, and unquotes the charset', () => {
    expect(parseContentType('Application/JSON; Charset="UTF-8"')).toEqual({
      type: 'application/json',
      charset: 'utf-8',
    });
    expect(parseContentType('application/json')).toEqual({
      type: 'application/json',
      charset: undefined,
    });
    expect(parseContentType('application/json; boundary=x')).toEqual({
      type: 'application/json',
      charset: undefined,
    });
    expect(parseContentType(undefined)).toEqual({});
  });
});

describe('checkJsonHeaders', () => {
  const check = (headers: IncomingHttpHeaders) =>
    checkJsonHeaders({ headers } as IncomingMessage, LIMIT);
  const refusal = (error: BodyError | undefined) =>
    error && { status: error.status, kind: error.kind, path: error.path, message: error.message };

  it('lets UTF-8 JSON within the limit through', () => {
    expect(check({ 'content-type': 'application/json', 'content-length': '64' })).toBeUndefined();
    expect(check({ 'content-type': 'application/json; charset=utf-8' })).toBeUndefined();
    expect(check({ 'content-type': 'application/json', 'content-encoding': 'identity' })).toBe(
      undefined,
    );
  });

  it('refuses another media type, charset or encoding with 415, naming the header', () => {
    expect(refusal(check({}))).toEqual({
      status: 415,
      kind: 'unsupported_media_type',
      path: 'content-type',
      message: 'expected application/json, got (none)',
    });
    expect(refusal(check({ 'content-type': 'text/plain' }))).toEqual({
      status: 415,
      kind: 'unsupported_media_type',
      path: 'content-type',
      message: 'expected application/json, got text/plain',
    });
    expect(refusal(check({ 'content-type': 'application/json; charset=latin1' }))).toEqual({
      status: 415,
      kind: 'unsupported_media_type',
      path: 'content-type',
      message: 'unsupported charset "latin1": the body must be UTF-8',
    });
    expect(
      refusal(check({ 'content-type': 'application/json', 'content-encoding': 'gzip' })),
    ).toEqual({
      status: 415,
      kind: 'unsupported_media_type',
      path: 'content-encoding',
      message: 'unsupported content encoding "gzip": send the body uncompressed',
    });
  });

  it('refuses a declared length over the limit with 413 before reading', () => {
    expect(refusal(check({ 'content-type': 'application/json', 'content-length': '65' }))).toEqual({
      status: 413,
      kind: 'payload_too_large',
      path: '',
      message: 'larger than recovery.max_body_bytes (64)',
    });
  });
});

describe('readJsonBody, on a real server', () => {
  let server: Server;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const refusals: { kind: string; message: string }[] = [];

  beforeAll(async () => {
    // Answers with what it read, or the refusal, which it also keeps.
    server = createServer((req, res) => {
      readJsonBody(req, LIMIT).then(
        (body) => res.end(JSON.stringify({ body })),
        (error: BodyError) => {
          refusals.push({ kind: error.kind, message: error.message });
          res.end(JSON.stringify({ status: error.status, error: error.message }));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends the chunks one write each, chunked (no Content-Length), and returns the answer and its socket. */
  const send = (chunks: (string | Buffer)[]) =>
    new Promise<{ answer: unknown; socket: unknown }>((resolve, reject) => {
      const req = request({ agent, host: '127.0.0.1', port, method: 'POST' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ answer: JSON.parse(text), socket: res.socket }));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });

  it('joins chunks, a character split between them included', async () => {
    const bytes = Buffer.from('{"city":"Zürich"}');
    const split = bytes.indexOf(0xc3) + 1;
    const { answer } = await send([bytes.subarray(0, split), bytes.subarray(split)]);
    expect(answer).toEqual({ body: { city: 'Zürich' } });
  });

  it('skips a UTF-8 byte order mark', async () => {
    const { answer } = await send([Buffer.from([0xef, 0xbb, 0xbf]), '{"version":"4"}']);
    expect(answer).toEqual({ body: { version: '4' } });
  });

  it('refuses a body that grows past the limit, and the connection serves the next request', async () => {
    const first = await send(['{"padding":"', 'x'.repeat(40), 'x'.repeat(40), '"}']);
    expect(first.answer).toEqual({
      status: 413,
      error: 'larger than recovery.max_body_bytes (64)',
    });
    const second = await send(['[1, 2]']);
    expect(second.answer).toEqual({ body: [1, 2] });
    expect(second.socket).toBe(first.socket);
  });

  it('gives up on a sender that hangs up mid-body', async () => {
    refusals.length = 0;
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      headers: { 'content-length': '40' },
    });
    req.on('error', () => undefined);
    req.write('{"version":');
    await new Promise((resolve) => setTimeout(resolve, 20));
    req.destroy();
    await expect
      .poll(() => refusals)
      .toEqual([{ kind: 'aborted', message: 'the request broke off: aborted' }]);
  });

  it('says why a body is not JSON', async () => {
    expect((await send([])).answer).toEqual({
      status: 400,
      error: 'not JSON: the body is empty',
    });
    expect((await send(['{"version": '])).answer).toEqual({
      status: 400,
      error: 'not JSON: Unexpected end of JSON input',
    });
  });
});
