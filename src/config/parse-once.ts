/**
 * How every configuration is parsed (the agent's, `--web.config.file`, the healing
 * policy): each problem keeps the value it rejects, for the messages; and zod compiles no
 * fast path. It compiles one per object schema, with `new Function`, on the schema's first
 * parse, which pays off from the thousandth parse on. A configuration is parsed once, and
 * the compiles were 10 ms of the agent's start-up.
 */
export const PARSE_ONCE = { reportInput: true, jitless: true } as const;
