import { describe, expect, it } from 'vitest';
import { checkWidgetSettings, DEFAULT_WIDGET_SETTINGS, isOriginAllowed, normalizeAllowedOrigin, originCandidates } from './widget.js';

describe('allowed origins', () => {
  it.each([
    ['https://Shop.Example', 'https://shop.example'],
    ['https://shop.example/', 'https://shop.example'],
    ['https://shop.example:443', 'https://shop.example'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['https://*.example.com', 'https://*.example.com'],
  ])('%s is stored as %s', (input, stored) => expect(normalizeAllowedOrigin(input)).toBe(stored));

  it.each(['shop.example', 'ftp://shop.example', 'https://shop.example/path', 'https://*', 'https://*.com', 'https://a.*.example.com', 'https://sh op.example', 'https://shop.example:99999', 'https://-bad.example', '*', 'javascript:alert(1)', 'https://shop.example?x=1'])(
    '%s is not an origin',
    (input) => expect(normalizeAllowedOrigin(input)).toBeNull(),
  );

  it('matches exact origins, and subdomains only where a wildcard is written', () => {
    const allowed = ['https://shop.example', 'https://*.example.com', 'http://localhost:3000'];
    expect(isOriginAllowed('https://shop.example', allowed)).toBe(true);
    expect(isOriginAllowed('https://SHOP.example:443', allowed)).toBe(true);
    expect(isOriginAllowed('https://eu.shop.example', allowed)).toBe(false);
    expect(isOriginAllowed('http://shop.example', allowed)).toBe(false);
    expect(isOriginAllowed('https://docs.example.com', allowed)).toBe(true);
    expect(isOriginAllowed('https://a.b.example.com', allowed)).toBe(true);
    expect(isOriginAllowed('https://example.com', allowed)).toBe(false);
    expect(isOriginAllowed('https://evilexample.com', allowed)).toBe(false);
    expect(isOriginAllowed('https://example.com.evil.net', allowed)).toBe(false);
    expect(isOriginAllowed('http://docs.example.com', allowed)).toBe(false);
    expect(isOriginAllowed('http://localhost:3001', allowed)).toBe(false);
    expect(isOriginAllowed('null', allowed)).toBe(false);
    expect(isOriginAllowed(undefined, allowed)).toBe(false);
    expect(isOriginAllowed('https://*.example.com', allowed)).toBe(false);
  });
});

describe('originCandidates', () => {
  it('lists the origin and the wildcard entries of its parent domains, ports kept', () => {
    expect(originCandidates('https://A.b.example.com')).toEqual(['https://a.b.example.com', 'https://*.b.example.com', 'https://*.example.com']);
    expect(originCandidates('https://shop.example:8443')).toEqual(['https://shop.example:8443']);
    expect(originCandidates('https://eu.shop.example:8443')).toEqual(['https://eu.shop.example:8443', 'https://*.shop.example:8443']);
    expect(originCandidates('http://127.0.0.1:3000')).toEqual(['http://127.0.0.1:3000']);
    expect(originCandidates('http://localhost:3000')).toEqual(['http://localhost:3000']);
    expect(originCandidates('null')).toEqual([]);
    expect(originCandidates('https://*.example.com')).toEqual([]);
  });
});

describe('checkWidgetSettings', () => {
  it('accepts the defaults and names each bad field', () => {
    expect(checkWidgetSettings(DEFAULT_WIDGET_SETTINGS)).toEqual([]);
    const errors = checkWidgetSettings({
      ...DEFAULT_WIDGET_SETTINGS,
      allowedOrigins: ['https://ok.example', 'not an origin'],
      starterPrompts: ['fine', ' '],
      theme: { primaryColor: 'red', position: 'top' as never },
      rateLimit: { messagesPerMinute: 0, messagesPerDay: 1.5 },
    });
    expect(errors.map((e) => e.path)).toEqual([
      'allowedOrigins.1',
      'starterPrompts.1',
      'theme.primaryColor',
      'theme.position',
      'rateLimit.messagesPerMinute',
      'rateLimit.messagesPerDay',
    ]);
  });
});
