import { z } from 'zod';
import { DEFAULT_LANGUAGE, TEXT_SEARCH_LANGUAGES, type TextSearchLanguage } from '../../domain/knowledge.js';
import { AllowListError, parseAllowList } from '../web/address-policy.js';
import { defaultUserAgent, isValidUserAgent } from '../web/user-agent.js';

/**
 * Configuration (server and worker) comes from the environment only (API.md §Configuration) and is
 * validated once at start-up: a malformed value stops the process with one clear line
 * naming the variable.
 */
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `must be an integer between ${min} and ${max}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `must be an integer between ${min} and ${max}` });

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  PORT: integer(1, 65535).default(3000),
  ATRIUM_HOST: z.string().min(1).optional(),
  ATRIUM_DATA_DIR: z.string().min(1).default('./.atrium'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: url(['http:', 'https:']).optional(),
  ATRIUM_CHAT_MODEL: z.string().min(1).default('gpt-4o-mini'),
  // Unset: the model catalog's context window for the model (8192 for unknown models).
  ATRIUM_CHAT_CONTEXT_TOKENS: integer(1024, 10_000_000).optional(),
  ATRIUM_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  // Unset: the model's native size (1536 for text-embedding-3-small) and no `dimensions` sent.
  ATRIUM_EMBEDDING_DIMENSIONS: integer(1, 16000).optional(),
  ATRIUM_ADMIN_EMAIL: z.email({ message: 'must be an email address' }).optional(),
  ATRIUM_ADMIN_PASSWORD: z
    .string()
    .min(8, { message: 'must be at least 8 characters' })
    .refine((p) => new TextEncoder().encode(p).length <= 72, { message: 'must be at most 72 bytes' })
    .optional(),
  ATRIUM_SYSADMIN_KEY: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  ATRIUM_JWT_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  ATRIUM_CRAWLER_ALLOW_HOSTS: z
    .string()
    .superRefine((value, ctx) => {
      try {
        parseAllowList(value);
      } catch (error) {
        if (!(error instanceof AllowListError)) throw error;
        ctx.addIssue({ code: 'custom', message: `has a bad entry: ${error.message}` });
      }
    })
    .optional(),
  ATRIUM_CRAWLER_USER_AGENT: z
    .string()
    .refine(isValidUserAgent, {
      message: 'must start with a product token such as AtriumBot/1.0 and hold only printable ASCII (at most 256 characters)',
    })
    .optional(),
  ATRIUM_PUBLIC_URL: url(['http:', 'https:']).optional(),
  ATRIUM_MAX_UPLOAD_MB: integer(1, 10_000).default(50),
  ATRIUM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ATRIUM_TRUST_PROXY: boolean.default(false),
  ATRIUM_CORS_ORIGINS: z.string().default('*'),
  ATRIUM_DEFAULT_LANGUAGE: z
    .enum(TEXT_SEARCH_LANGUAGES, {
      message: 'must be a text-search configuration such as english, swedish, german, french, spanish or simple (docs/knowledge.md lists them)',
    })
    .default(DEFAULT_LANGUAGE),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  publicUrl: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  sysadminKey: string | undefined;
  jwtSecret: string | undefined;
  maxUploadBytes: number;
  logLevel: Env['ATRIUM_LOG_LEVEL'];
  trustProxy: boolean;
  corsOrigins: string[] | '*';
  /** The text-search configuration of new collections that name none. */
  defaultLanguage: TextSearchLanguage;
  /** The safe web fetcher (`{url}` documents, the crawler). */
  crawler: {
    /** ATRIUM_CRAWLER_ALLOW_HOSTS, one entry per host name, address or CIDR. */
    allowHosts: string[];
    /** ATRIUM_CRAWLER_USER_AGENT, else `AtriumBot/<version>` (with `(+ATRIUM_PUBLIC_URL)` when that is set). */
    userAgent: string;
  };
  models: {
    openaiApiKey: string | undefined;
    openaiBaseUrl: string | undefined;
    chatModel: string;
    chatContextTokens: number | undefined;
    embeddingModel: string;
    embeddingDimensions: number | undefined;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the environment; throws a ConfigError whose message is one line. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  // Empty strings mean "unset", as they do for most twelve-factor tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const shown = /KEY|SECRET|PASSWORD/.test(name) || String(env[name]).includes('@') ? '' : ` (got ${JSON.stringify(String(env[name]).slice(0, 100))})`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}${shown}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.ATRIUM_HOST,
    dataDir: e.ATRIUM_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    publicUrl: (e.ATRIUM_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    adminEmail: e.ATRIUM_ADMIN_EMAIL,
    adminPassword: e.ATRIUM_ADMIN_PASSWORD,
    sysadminKey: e.ATRIUM_SYSADMIN_KEY,
    jwtSecret: e.ATRIUM_JWT_SECRET,
    maxUploadBytes: e.ATRIUM_MAX_UPLOAD_MB * 1024 * 1024,
    logLevel: e.ATRIUM_LOG_LEVEL,
    trustProxy: e.ATRIUM_TRUST_PROXY,
    corsOrigins: e.ATRIUM_CORS_ORIGINS === '*' ? '*' : e.ATRIUM_CORS_ORIGINS.split(',').map((o) => o.trim()),
    defaultLanguage: e.ATRIUM_DEFAULT_LANGUAGE,
    crawler: {
      allowHosts: [...parseAllowList(e.ATRIUM_CRAWLER_ALLOW_HOSTS).entries],
      userAgent: e.ATRIUM_CRAWLER_USER_AGENT ?? defaultUserAgent(e.ATRIUM_PUBLIC_URL?.replace(/\/$/, '')),
    },
    models: {
      openaiApiKey: e.OPENAI_API_KEY,
      openaiBaseUrl: e.OPENAI_BASE_URL,
      chatModel: e.ATRIUM_CHAT_MODEL,
      chatContextTokens: e.ATRIUM_CHAT_CONTEXT_TOKENS,
      embeddingModel: e.ATRIUM_EMBEDDING_MODEL,
      embeddingDimensions: e.ATRIUM_EMBEDDING_DIMENSIONS,
    },
  };
};
