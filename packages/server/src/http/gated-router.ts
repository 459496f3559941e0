import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';
import type { H, RouterRoute } from 'hono/types';
import type { Gate } from './gateway.js';

/** What hono stores in its router for each handler (the type of `HonoOptions.router`). */
type Entry = [H, RouterRoute];
type Matched = Result<Entry>[0];

/**
 * hono's router, with the first handler of every request's match run through the gateway
 * (ADR 0020): `gate(c, () => handler(c, next))` in its place. The gateway then runs exactly
 * once per request, outside everything else matched, as an `app.use('*')` middleware would,
 * but without adding a handler to the match: a route registered with one handler is still
 * matched alone, and hono calls it directly instead of composing middleware.
 *
 * The gated list is kept per match list. hono's RegExpRouter returns the same list for the
 * same route every time (params live in a separate stash), so on the hot path a match costs
 * one WeakMap lookup; a router that returns fresh lists (TrieRouter) gets them gated afresh.
 */
export const gatedRouter = (router: Router<Entry>, gate: Gate): Router<Entry> => {
  const gatedHandlers = new WeakMap<H, H>();
  const gatedLists = new WeakMap<Matched, Matched>();
  const gated = (handler: H): H => {
    let wrapped = gatedHandlers.get(handler);
    if (!wrapped) {
      wrapped = ((c, next) => gate(c, () => handler(c, next))) as H;
      gatedHandlers.set(handler, wrapped);
    }
    return wrapped;
  };
  return {
    name: router.name,
    add: (method, path, entry) => router.add(method, path, entry),
    match: (method, path) => {
      const result = router.match(method, path);
      const list = result[0];
      const first = list[0];
      if (!first) return result;
      let gatedList = gatedLists.get(list);
      if (!gatedList) {
        const [[handler, route], params] = first;
        gatedList = [[[gated(handler), route], params], ...list.slice(1)] as Matched;
        gatedLists.set(list, gatedList);
      }
      return (result.length === 2 ? [gatedList, result[1]] : [gatedList]) as Result<Entry>;
    },
  };
};

/** hono's default router (as `new Hono()` makes it), gated. */
export const gatedDefaultRouter = (gate: Gate): Router<Entry> =>
  gatedRouter(new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] }), gate);
