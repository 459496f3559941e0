/**
 * The base class of every error the SDK throws, so callers can tell them apart
 * from anything else with one `instanceof AtriumError`.
 */
export class AtriumError extends Error {
  override readonly name: string = 'AtriumError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
