/**
 * `--web.config.file`: TLS and basic authentication in the format of Prometheus'
 * exporter-toolkit, so that the file written for node_exporter or Prometheus serves
 * here too (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md).
 * File paths in it are relative to its folder, as the toolkit resolves them. Unlike the
 * toolkit, the file is read once at start: a changed file needs a restart.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { PARSE_ONCE } from './parse-once.js';
import { describeIssues } from './validate.js';
import type { WebConfig } from './web.js';
import { parseYaml, readYamlFile } from './yaml-file.js';

/**
 * A bcrypt hash as htpasswd and exporter-toolkit write them: `$2a$`, `$2b$` or `$2y$`,
 * cost 4 to 31. Here, not beside the bcrypt check (src/http/basic-auth.ts): that loads
 * bcryptjs, which only a configuration with users needs.
 */
export const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/** The toolkit's TLS version names, as Node names them. */
export const TLS_VERSIONS = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
} as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;
const VERSION_NAMES = Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]];

/** Go's curve names, as OpenSSL names them. */
const CURVES = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;

const unsupported = (what: string) =>
  z.unknown().refine(() => false, { message: `not supported by aegis-sentinel: ${what}` });

const tlsServerConfigSchema = z
  .strictObject({
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    client_ca: z.string().min(1).optional(),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    client_ca_file: z.string().min(1).optional(),
    client_auth_type: z.enum(CLIENT_AUTH_TYPES).default('NoClientCert'),
    client_allowed_sans: z.array(z.string().min(1)).optional(),
    min_version: z.enum(VERSION_NAMES).default('TLS12'),
    max_version: z.enum(VERSION_NAMES).default('TLS13'),
    cipher_suites: unsupported(
      "Go's cipher suite names; remove it to use Node.js's (OpenSSL's) defaults",
    ).optional(),
    prefer_server_cipher_suites: z.boolean().default(true),
    curve_preferences: z
      .array(z.enum(Object.keys(CURVES) as [keyof typeof CURVES, ...(keyof typeof CURVES)[]]))
      .optional(),
  })
  .superRefine((tls, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    for (const [inline, file] of [
      ['cert', 'cert_file'],
      ['key', 'key_file'],
      ['client_ca', 'client_ca_file'],
    ] as const) {
      if (tls[inline] !== undefined && tls[file] !== undefined)
        problem(file, `give ${file} or an inline ${inline}, not both`);
    }
    const hasCert = tls.cert !== undefined || tls.cert_file !== undefined;
    const hasKey = tls.key !== undefined || tls.key_file !== undefined;
    if (hasCert && !hasKey) problem('key_file', 'required with cert_file (or key with cert)');
    if (hasKey && !hasCert) problem('cert_file', 'required with key_file (or cert with key)');
    const hasCa = tls.client_ca !== undefined || tls.client_ca_file !== undefined;
    if (
      (tls.client_auth_type === 'RequireAndVerifyClientCert' ||
        tls.client_auth_type === 'VerifyClientCertIfGiven') &&
      !hasCa
    )
      problem('client_ca_file', `required with client_auth_type ${tls.client_auth_type}`);
    if (
      tls.client_allowed_sans !== undefined &&
      tls.client_auth_type !== 'RequireAnyClientCert' &&
      tls.client_auth_type !== 'RequireAndVerifyClientCert'
    )
      problem(
        'client_allowed_sans',
        'needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert',
      );
    if (VERSION_NAMES.indexOf(tls.min_version) > VERSION_NAMES.indexOf(tls.max_version))
      problem('min_version', `${tls.min_version} is above max_version ${tls.max_version}`);
  });

const headersSchema = z.strictObject({
  'Content-Security-Policy': z.string().optional(),
  'X-Frame-Options': z
    .string()
    .regex(/^(deny|sameorigin)$/i, 'expected deny or sameorigin')
    .optional(),
  'X-Content-Type-Options': z
    .string()
    .regex(/^nosniff$/i, 'expected nosniff')
    .optional(),
  'X-XSS-Protection': z.string().optional(),
  'Strict-Transport-Security': z.string().optional(),
});

export const webConfigFileSchema = z.strictObject({
  tls_server_config: tlsServerConfigSchema.optional(),
  http_server_config: z
    .strictObject({
      /** Accepted for compatibility; the agent speaks HTTP/1.1 (with TLS or without). */
      http2: z.boolean().default(true),
      headers: headersSchema.optional(),
    })
    .optional(),
  basic_auth_users: z
    .record(
      z.string().min(1),
      z
        .string()
        .regex(
          BCRYPT_HASH,
          `expected a bcrypt hash like $2y$10$… (htpasswd -nBC 10 "" | tr -d ':\\n')`,
        ),
    )
    .optional(),
  rate_limit: unsupported('rate_limit; put a reverse proxy in front to rate-limit').optional(),
});

/** The file's settings, its file paths resolved and its PEM files read. */
export interface WebSettings {
  /** Server TLS options, when the file (or the deprecated web.tls_* keys) enables TLS. */
  tls?: {
    cert: string | Buffer;
    key: string | Buffer;
    ca?: string | Buffer;
    clientAuthType: (typeof CLIENT_AUTH_TYPES)[number];
    clientAllowedSans?: string[];
    minVersion: (typeof TLS_VERSIONS)[TlsVersionName];
    maxVersion: (typeof TLS_VERSIONS)[TlsVersionName];
    honorCipherOrder: boolean;
    ecdhCurve?: string;
  };
  /** User name to bcrypt hash; basic auth is off when undefined. */
  basicAuthUsers?: Record<string, string>;
  /** Headers added to every response. */
  headers: Record<string, string>;
}

async function readPem(file: string, key: string, source: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new ConfigError(source, [
      { path: `tls_server_config.${key}`, message: `cannot read ${file}: ${reason}` },
    ]);
  }
}

/** Validates a parsed web configuration; `source` names it and `baseDir` anchors its paths. */
export async function webSettingsFrom(
  raw: unknown,
  source: string,
  baseDir: string,
): Promise<WebSettings> {
  const result = webConfigFileSchema.safeParse(raw ?? {}, PARSE_ONCE);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error.issues));
  const file = result.data;
  const headers = Object.fromEntries(
    Object.entries(file.http_server_config?.headers ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
  const users = file.basic_auth_users;
  const settings: WebSettings = {
    headers,
    ...(users && Object.keys(users).length > 0 ? { basicAuthUsers: users } : {}),
  };
  const tls = file.tls_server_config;
  if (tls && (tls.cert !== undefined || tls.cert_file !== undefined)) {
    const path = (value: string) => (isAbsolute(value) ? value : resolve(baseDir, value));
    const pem = (inline: string | undefined, fileKey: string, fileValue: string | undefined) =>
      inline ?? (fileValue === undefined ? undefined : readPem(path(fileValue), fileKey, source));
    const ca = await pem(tls.client_ca, 'client_ca_file', tls.client_ca_file);
    settings.tls = {
      cert: (await pem(tls.cert, 'cert_file', tls.cert_file)) as string | Buffer,
      key: (await pem(tls.key, 'key_file', tls.key_file)) as string | Buffer,
      ...(ca === undefined ? {} : { ca }),
      clientAuthType: tls.client_auth_type,
      ...(tls.client_allowed_sans ? { clientAllowedSans: tls.client_allowed_sans } : {}),
      minVersion: TLS_VERSIONS[tls.min_version],
      maxVersion: TLS_VERSIONS[tls.max_version],
      honorCipherOrder: tls.prefer_server_cipher_suites,
      ...(tls.curve_preferences
        ? { ecdhCurve: tls.curve_preferences.map((curve) => CURVES[curve]).join(':') }
        : {}),
    };
  }
  return settings;
}

/** Reads and validates `--web.config.file`: a ConfigError names the file and every bad key. */
export async function readWebConfigFile(file: string): Promise<WebSettings> {
  const raw = parseYaml(await readYamlFile(file), file);
  return webSettingsFrom(raw, file, dirname(file));
}

/**
 * The web settings of a validated `web` section: from `config_file`, or from the
 * deprecated `tls_cert_file` / `tls_key_file`, which mean the same as a web
 * configuration file with only `tls_server_config.cert_file` and `key_file`.
 */
export async function loadWebSettings(web: WebConfig): Promise<WebSettings> {
  if (web.config_file !== undefined) return readWebConfigFile(web.config_file);
  if (web.tls_cert_file === undefined || web.tls_key_file === undefined) return { headers: {} };
  return webSettingsFrom(
    { tls_server_config: { cert_file: web.tls_cert_file, key_file: web.tls_key_file } },
    'web.tls_cert_file and web.tls_key_file',
    process.cwd(),
  );
}
