import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/index.js';
import { REPO_ROOT, cliEnv, CLI_ARGS } from './process-helpers.js';

const configError = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
};

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: undefined,
      dataDir: './.atrium',
      databaseUrl: undefined,
      redisUrl: undefined,
      publicUrl: 'http://localhost:3000',
      adminEmail: undefined,
      adminPassword: undefined,
      sysadminKey: undefined,
      jwtSecret: undefined,
      logLevel: 'info',
      trustProxy: false,
      corsOrigins: '*',
      defaultLanguage: 'english',
      crawler: { allowHosts: [], userAgent: expect.stringMatching(/^AtriumBot\/\d+\.\d+\.\d+$/) },
      models: {
        openaiApiKey: undefined,
        openaiBaseUrl: undefined,
        chatModel: 'gpt-4o-mini',
        embeddingModel: 'text-embedding-3-small',
      },
    });
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '8080',
      ATRIUM_DATA_DIR: '/var/lib/atrium',
      DATABASE_URL: 'postgres://u:p@db:5432/atrium',
      REDIS_URL: 'redis://cache:6379',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'https://llm.example.com/v1',
      ATRIUM_CHAT_MODEL: 'chat-x',
      ATRIUM_EMBEDDING_MODEL: 'embed-x',
      ATRIUM_EMBEDDING_DIMENSIONS: '768',
      ATRIUM_ADMIN_EMAIL: 'root@example.com',
      ATRIUM_ADMIN_PASSWORD: 'a long password',
      ATRIUM_SYSADMIN_KEY: 'k'.repeat(32),
      ATRIUM_JWT_SECRET: 's'.repeat(40),
      ATRIUM_PUBLIC_URL: 'https://atrium.example.com/',
      ATRIUM_TRUST_PROXY: 'true',
      ATRIUM_CORS_ORIGINS: 'https://a.example, https://b.example',
      ATRIUM_DEFAULT_LANGUAGE: 'swedish',
      ATRIUM_CRAWLER_ALLOW_HOSTS: 'intranet.example, 10.1.0.0/16,fd00::5',
      ATRIUM_CRAWLER_USER_AGENT: 'ExampleBot/2.0 (+https://example.com/bot)',
    });
    expect(config).toMatchObject({
      port: 8080,
      dataDir: '/var/lib/atrium',
      databaseUrl: 'postgres://u:p@db:5432/atrium',
      redisUrl: 'redis://cache:6379',
      publicUrl: 'https://atrium.example.com',
      trustProxy: true,
      corsOrigins: ['https://a.example', 'https://b.example'],
      defaultLanguage: 'swedish',
      crawler: { allowHosts: ['intranet.example', '10.1.0.0/16', 'fd00::5'], userAgent: 'ExampleBot/2.0 (+https://example.com/bot)' },
      models: { openaiApiKey: 'sk-test', openaiBaseUrl: 'https://llm.example.com/v1', chatModel: 'chat-x', embeddingModel: 'embed-x', embeddingDimensions: 768 },
    });
  });

  it('names the instance in the default user agent when ATRIUM_PUBLIC_URL is set', () => {
    expect(loadConfig({ ATRIUM_PUBLIC_URL: 'https://atrium.example.com/' }).crawler.userAgent).toMatch(
      /^AtriumBot\/\d+\.\d+\.\d+ \(\+https:\/\/atrium\.example\.com\)$/,
    );
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '0'],
    ['PORT', '65536'],
    ['PORT', '30.5'],
    ['PORT', '-1'],
    ['PORT', '80\nINJECTED=1'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://db/atrium'],
    ['DATABASE_URL', 'localhost:5432'],
    ['OPENAI_BASE_URL', 'api.openai.com/v1'],
    ['OPENAI_BASE_URL', 'ftp://example.com'],
    ['ATRIUM_EMBEDDING_DIMENSIONS', 'abc'],
    ['ATRIUM_EMBEDDING_DIMENSIONS', '0'],
    ['ATRIUM_EMBEDDING_DIMENSIONS', '1e3'],
    ['REDIS_URL', 'http://cache'],
    ['ATRIUM_PUBLIC_URL', 'atrium.example.com'],
    ['ATRIUM_TRUST_PROXY', 'maybe'],
    ['ATRIUM_ADMIN_EMAIL', 'root'],
    ['ATRIUM_DEFAULT_LANGUAGE', 'klingon'],
    ['ATRIUM_DEFAULT_LANGUAGE', 'English'],
    ['ATRIUM_DEFAULT_LANGUAGE', 'estonian'],
    ['ATRIUM_CRAWLER_ALLOW_HOSTS', 'intranet.example,http://wiki.example'],
    ['ATRIUM_CRAWLER_ALLOW_HOSTS', 'wiki.example:8080'],
    ['ATRIUM_CRAWLER_ALLOW_HOSTS', '*.example.com'],
    ['ATRIUM_CRAWLER_ALLOW_HOSTS', '10.0.0.0/33'],
    ['ATRIUM_CRAWLER_ALLOW_HOSTS', '10.0.0.1/x'],
    ['ATRIUM_CRAWLER_USER_AGENT', 'AtriumBot/1.0\r\nX-Injected: 1'],
    ['ATRIUM_CRAWLER_USER_AGENT', '(+https://example.com) no product token'],
  ])('rejects %s=%j with a one-line ConfigError naming it', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.message).toContain(name);
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message.length).toBeLessThan(300);
  });

  it.each([
    ['ATRIUM_ADMIN_PASSWORD', 'short'],
    ['ATRIUM_SYSADMIN_KEY', 'too-short-key'],
    ['ATRIUM_JWT_SECRET', 'too-short-secret'],
    ['DATABASE_URL', 'mysql://atrium:Hunter2Secret@db/atrium'],
    ['DATABASE_URL', 'postgres//atrium:Hunter2Secret@db/atrium'],
    ['REDIS_URL', 'http://:Hunter2Secret@cache:6379'],
  ])('does not echo the secret in %s', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.message).toContain(name);
    expect(error.message).not.toContain(value);
    expect(error.message).not.toContain('Hunter2Secret');
  });

  it('names the first bad variable when several are bad', () => {
    const error = configError({ PORT: 'abc', DATABASE_URL: 'nope' });
    expect(error.message).toMatch(/PORT|DATABASE_URL/);
    expect(error.message).not.toMatch(/[\r\n]/);
  });
});

describe('the CLI with a malformed variable', () => {
  it('exits 1 with one stderr line naming PORT', async () => {
    const child = spawn(process.execPath, CLI_ARGS, {
      cwd: REPO_ROOT,
      env: cliEnv({ PORT: 'abc', ATRIUM_DATA_DIR: 'memory://' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toContain('PORT');
    expect(lines[0]).toContain('abc');
    expect(stdout).not.toContain('Atrium is running');
  }, 60_000);
});
