import { describe, expect, it } from 'vitest';
import { AtriumError } from '../../domain/errors.js';
import { describeBytes, publicErrorMessage } from './public-error.js';

describe('publicErrorMessage', () => {
  it('keeps messages written for people (domain errors)', () => {
    expect(publicErrorMessage(new AtriumError('invalid', 'corrupt_file', 'The PDF could not be read'))).toBe(
      'The PDF could not be read',
    );
  });

  it('never passes on other errors, which may quote SQL and document text', () => {
    const leaky = new Error('Failed query: insert into chunks values ($1) params: secret document text');
    const message = publicErrorMessage(leaky);
    expect(message).not.toContain('secret document text');
    expect(message).toMatch(/internal error/);
  });

  it('says what failed in the words of the context it is given', () => {
    const fallback = 'The answer could not be stored because of an internal error';
    expect(publicErrorMessage(new Error('connection reset'), fallback)).toBe(fallback);
    expect(publicErrorMessage(new Error('connection reset'))).toMatch(/uploading the document anew/);
  });

  it('strips NUL characters and caps the length', () => {
    const message = publicErrorMessage(new AtriumError('invalid', 'x', `a\u0000b${'c'.repeat(2000)}`));
    expect(message.startsWith('ab')).toBe(true);
    expect(message).not.toContain('\u0000');
    expect(message.length).toBe(500);
  });
});

describe('describeBytes', () => {
  it('says small limits in KB instead of rounding them to 0 MB', () => {
    expect(describeBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(describeBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
    expect(describeBytes(256 * 1024)).toBe('256 KB');
  });
});
