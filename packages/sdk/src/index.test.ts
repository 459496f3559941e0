import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { AtriumError, VERSION } from './index.js';

describe('VERSION', () => {
  it('matches package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });
});

describe('AtriumError', () => {
  it('is an Error with its own name, message and cause', () => {
    const cause = new Error('socket hang up');
    const error = new AtriumError('request failed', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(AtriumError);
    expect(error.name).toBe('AtriumError');
    expect(error.message).toBe('request failed');
    expect(error.cause).toBe(cause);
  });

  it('keeps the subclass name for subclasses that set it', () => {
    class NotFoundError extends AtriumError {
      override readonly name = 'NotFoundError';
    }
    const error = new NotFoundError('no such space');
    expect(error).toBeInstanceOf(AtriumError);
    expect(error.name).toBe('NotFoundError');
  });
});
