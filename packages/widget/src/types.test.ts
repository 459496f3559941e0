import { describe, expectTypeOf, it } from 'vitest';
import type { AtriumChat, AtriumErrorDetail, AtriumMessageDetail } from './index.js';

// Checked by `tsc` (pnpm typecheck), which fails on a wrong type; the runtime part is empty.
describe('the declared types', () => {
  it('map the tag to the class', () => {
    expectTypeOf<HTMLElementTagNameMap['atrium-chat']>().toEqualTypeOf<AtriumChat>();
  });

  it('type each event detail', () => {
    expectTypeOf<HTMLElementEventMap['atrium-message']>().toEqualTypeOf<CustomEvent<AtriumMessageDetail>>();
    expectTypeOf<HTMLElementEventMap['atrium-error']['detail']['code']>().toEqualTypeOf<
      'rate_limited' | 'offline' | 'origin_not_allowed' | 'server_error' | 'identity_required' | 'conversation_limit'
    >();
    expectTypeOf<HTMLElementEventMap['atrium-error']>().toEqualTypeOf<CustomEvent<AtriumErrorDetail>>();
    expectTypeOf<HTMLElementEventMap['atrium-open']>().toEqualTypeOf<CustomEvent<null>>();
  });

  it('give the element its methods', () => {
    expectTypeOf<AtriumChat['open']>().toEqualTypeOf<() => void>();
    expectTypeOf<AtriumChat['send']>().toEqualTypeOf<(text: string) => Promise<void>>();
    expectTypeOf<AtriumChat['identify']>().toEqualTypeOf<(identityToken: string) => void>();
  });
});
