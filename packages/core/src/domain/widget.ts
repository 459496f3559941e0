import type { FieldError } from './errors.js';

/** How an assistant appears on other sites through the chat widget (API.md §Assistants, widget settings). */
export interface WidgetTheme {
  /** A CSS hex colour (#rgb or #rrggbb). */
  primaryColor?: string;
  position?: WidgetPosition;
  title?: string;
}

export const WIDGET_POSITIONS = ['bottom-right', 'bottom-left'] as const;
export type WidgetPosition = (typeof WIDGET_POSITIONS)[number];

export interface WidgetRateLimit {
  messagesPerMinute: number;
  messagesPerDay: number;
}

export interface WidgetSettings {
  assistantId: string;
  enabled: boolean;
  /** Exact origins (`https://shop.example`), or every subdomain where written so (`https://*.example.com`). */
  allowedOrigins: string[];
  greeting: string | null;
  starterPrompts: string[];
  theme: WidgetTheme;
  /** Per visitor; the same budget, ten times over, applies to the key as a whole. */
  rateLimit: WidgetRateLimit;
  identity: { required: boolean };
  /** `atr_pk_...`: public by design, it only names the widget. */
  publicKey: string;
  identitySecretSet: boolean;
  updatedAt: Date;
}

/** What an admin sets; the rest (key, secret) has its own actions. */
export type WidgetSettingsInput = Pick<WidgetSettings, 'enabled' | 'allowedOrigins' | 'greeting' | 'starterPrompts' | 'theme' | 'rateLimit' | 'identity'>;

export const DEFAULT_WIDGET_RATE_LIMIT: WidgetRateLimit = { messagesPerMinute: 10, messagesPerDay: 200 };

export const DEFAULT_WIDGET_SETTINGS: WidgetSettingsInput = {
  enabled: false,
  allowedOrigins: [],
  greeting: null,
  starterPrompts: [],
  theme: {},
  rateLimit: DEFAULT_WIDGET_RATE_LIMIT,
  identity: { required: false },
};

export const WIDGET_LIMITS = {
  origins: 50,
  greeting: 500,
  starterPrompts: 6,
  starterPrompt: 200,
  title: 100,
  messagesPerMinute: { min: 1, max: 600 },
  messagesPerDay: { min: 1, max: 100_000 },
} as const;

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * An allowed origin as stored: scheme, host and port, lower case, no default port, no path.
 * `https://*.example.com` (a wildcard as the whole first label) admits every subdomain of
 * example.com, not example.com itself; nothing else may hold a `*`. Null when it is not one.
 */
export const normalizeAllowedOrigin = (input: string): string | null => {
  const match = /^(https?):\/\/(\*\.)?([^/:?#]+)(?::(\d{1,5}))?\/?$/i.exec(input.trim());
  if (!match) return null;
  const [, scheme, wildcard, rawHost, rawPort] = match as unknown as [string, string, string | undefined, string, string | undefined];
  const host = rawHost.toLowerCase();
  const isIpv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  if (!isIpv4 && !host.split('.').every((label) => HOST_LABEL.test(label))) return null;
  if (wildcard && (isIpv4 || !host.includes('.'))) return null;
  const port = rawPort === undefined ? undefined : Number(rawPort);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  const defaultPort = scheme.toLowerCase() === 'https' ? 443 : 80;
  return `${scheme.toLowerCase()}://${wildcard ? '*.' : ''}${host}${port && port !== defaultPort ? `:${port}` : ''}`;
};

/**
 * The allowlist entries that would admit a browser's `Origin`: the origin itself, normalised,
 * and a wildcard entry for each parent domain of two labels or more
 * (`https://a.b.example.com` → itself, `https://*.b.example.com`, `https://*.example.com`).
 * Empty for anything that is not an origin.
 */
export const originCandidates = (origin: string | undefined): string[] => {
  const normalized = origin ? normalizeAllowedOrigin(origin) : null;
  if (!normalized || normalized.includes('*')) return [];
  const { protocol, hostname, port } = new URL(normalized);
  const suffix = port ? `:${port}` : '';
  const labels = hostname.split('.');
  const parents = /^\d+(\.\d+){3}$/.test(hostname) ? [] : labels.slice(1, -1).map((_, i) => labels.slice(i + 1).join('.'));
  return [normalized, ...parents.map((parent) => `${protocol}//*.${parent}${suffix}`)];
};

/** Whether a browser's `Origin` header is admitted by `allowed` (entries as `normalizeAllowedOrigin` stores them). */
export const isOriginAllowed = (origin: string | undefined, allowed: readonly string[]): boolean =>
  originCandidates(origin).some((candidate) => allowed.includes(candidate));

/** Field errors of a settings input, paths as in the API. */
export const checkWidgetSettings = (input: WidgetSettingsInput): FieldError[] => {
  const errors: FieldError[] = [];
  if (input.allowedOrigins.length > WIDGET_LIMITS.origins) errors.push({ path: 'allowedOrigins', message: `At most ${WIDGET_LIMITS.origins} origins` });
  input.allowedOrigins.forEach((origin, i) => {
    if (!normalizeAllowedOrigin(origin))
      errors.push({ path: `allowedOrigins.${i}`, message: 'Must be an origin such as https://shop.example or https://*.example.com (no path)' });
  });
  if (input.greeting && input.greeting.length > WIDGET_LIMITS.greeting) errors.push({ path: 'greeting', message: `At most ${WIDGET_LIMITS.greeting} characters` });
  if (input.starterPrompts.length > WIDGET_LIMITS.starterPrompts) errors.push({ path: 'starterPrompts', message: `At most ${WIDGET_LIMITS.starterPrompts} prompts` });
  input.starterPrompts.forEach((prompt, i) => {
    if (!prompt.trim() || prompt.length > WIDGET_LIMITS.starterPrompt)
      errors.push({ path: `starterPrompts.${i}`, message: `Must be 1 to ${WIDGET_LIMITS.starterPrompt} characters` });
  });
  const { primaryColor, position, title } = input.theme;
  if (primaryColor !== undefined && !/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(primaryColor))
    errors.push({ path: 'theme.primaryColor', message: 'Must be a hex colour such as #0b5fff' });
  if (position !== undefined && !WIDGET_POSITIONS.includes(position))
    errors.push({ path: 'theme.position', message: `Must be one of ${WIDGET_POSITIONS.join(', ')}` });
  if (title !== undefined && (!title.trim() || title.length > WIDGET_LIMITS.title))
    errors.push({ path: 'theme.title', message: `Must be 1 to ${WIDGET_LIMITS.title} characters` });
  for (const field of ['messagesPerMinute', 'messagesPerDay'] as const) {
    const value = input.rateLimit[field];
    const { min, max } = WIDGET_LIMITS[field];
    if (!Number.isInteger(value) || value < min || value > max) errors.push({ path: `rateLimit.${field}`, message: `Must be an integer between ${min} and ${max}` });
  }
  return errors;
};
