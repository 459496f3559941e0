import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Redaction is a second line of defence: request logging already
 * records no headers or bodies, but anything that slips into a log object under these
 * names is censored.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'adminPassword',
  '*.adminPassword',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
];

export const createLogger = (level = 'info', destination?: pino.DestinationStream): Logger =>
  pino({ level, base: { service: 'atrium' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
