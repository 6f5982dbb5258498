/**
 * Reads a request's JSON body: declared `application/json` (UTF-8), not compressed, at
 * most `limit` bytes. Refusals are BodyErrors carrying their HTTP status and the header
 * they concern, so the webhook answers them in its own format.
 *
 * Hand-written rather than express.json() (body-parser): on /heal it cost about 20 µs of a
 * request's CPU (`npm run bench:heal -- --profile DIR`), for content-type negotiation,
 * charset conversion and decompression that Alertmanager never needs: it sends
 * uncompressed UTF-8 JSON.
 */
import type { IncomingMessage } from 'node:http';

type BodyErrorKind = 'unsupported_media_type' | 'payload_too_large' | 'invalid_json' | 'aborted';

export class BodyError extends Error {
  override readonly name = 'BodyError';

  constructor(
    readonly kind: BodyErrorKind,
    /** The header or body position the problem is in: `content-type`, `content-encoding` or `` (the body). */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    switch (this.kind) {
      case 'unsupported_media_type':
        return 415;
      case 'payload_too_large':
        return 413;
      case 'invalid_json':
      case 'aborted':
        return 400;
    }
  }
}

/** The media type and charset of a Content-Type header, lower-cased; undefined parts absent. */
export function parseContentType(header: string | undefined): { type?: string; charset?: string } {
  if (header === undefined) return {};
  const [type, ...parameters] = header.split(';');
  let charset: string | undefined;
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=');
    if (name?.trim().toLowerCase() === 'charset' && value !== undefined) {
      charset = value
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return { type: type?.trim().toLowerCase(), charset };
}

/**
 * Checks the headers (synchronously, before a byte is read) and returns the error to
 * answer with, or undefined when the body may be read.
 */
export function checkJsonHeaders(req: IncomingMessage, limit: number): BodyError | undefined {
  const given = req.headers['content-type'];
  const { type, charset } = parseContentType(given);
  if (type !== 'application/json') {
    return new BodyError(
      'unsupported_media_type',
      'content-type',
      `expected application/json, got ${given ?? '(none)'}`,
    );
  }
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return new BodyError(
      'unsupported_media_type',
      'content-type',
      `unsupported charset "${charset}": the body must be UTF-8`,
    );
  }
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    return new BodyError(
      'unsupported_media_type',
      'content-encoding',
      `unsupported content encoding "${encoding}": send the body uncompressed`,
    );
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return tooLarge(limit);
  return undefined;
}

function tooLarge(limit: number): BodyError {
  return new BodyError('payload_too_large', '', `larger than recovery.max_body_bytes (${limit})`);
}

/** Reads and parses the body; call after checkJsonHeaders passed. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return parseJsonBody(await readBody(req, limit));
}

/**
 * Reads the body's bytes; call after checkJsonHeaders passed. A body that grows past
 * `limit` is refused at once; the stream keeps flowing, so the rest of it is read and
 * dropped and a keep-alive connection stays usable.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        // onError stays: an abort while the rest drains must find a listener.
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      req.off('error', onError);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      reject(new BodyError('aborted', '', `the request broke off: ${error.message}`));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.once('error', onError);
  });
}

/** The body as text, without a UTF-8 byte order mark. */
export function jsonText(bytes: Buffer): string {
  // A UTF-8 byte order mark is allowed before JSON text (RFC 8259 §8.1 lets parsers ignore it).
  return bytes.toString('utf8', hasBom(bytes) ? 3 : 0);
}

/** The body's JSON; a BodyError (invalid_json) when it is not JSON. */
export function parseJsonBody(bytes: Buffer): unknown {
  const text = jsonText(bytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = text === '' ? 'the body is empty' : (error as Error).message;
    throw new BodyError('invalid_json', '', `not JSON: ${reason}`);
  }
}

function hasBom(bytes: Buffer): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}
