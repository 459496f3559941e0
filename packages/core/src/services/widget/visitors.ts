import type { Assistant } from '../../domain/assistants.js';
import { AtriumError, unauthenticated } from '../../domain/errors.js';
import { isOriginAllowed, originCandidates, type WidgetTheme } from '../../domain/widget.js';
import type { VerifiedIdentity, VisitorClaims, WidgetRecord } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { sha256Hex } from '../shared/secrets.js';

// The public side of the widget: browsers on customers' sites, holding a public key.

/** A widget that a request may use: its key is live, it is enabled, and the request's origin is on its list. */
export interface AdmittedWidget {
  widget: WidgetRecord;
  assistantName: string;
  /** The request's `Origin`, which the widget allows. */
  origin: string;
}

const refuse = (code: string, message: string) => new AtriumError('forbidden', code, message);

/** What every widget request needs of its widget: turned on, its assistant published, the page's origin on its list. */
const requireOpen = (widget: WidgetRecord, published: boolean, origin: string | undefined): string => {
  if (!widget.enabled || !published) throw refuse('widget_disabled', "This assistant's widget is turned off");
  if (!origin || !isOriginAllowed(origin, widget.allowedOrigins)) throw refuse('origin_not_allowed', 'This site may not embed this assistant');
  return origin;
};

const PUBLIC_KEY = /^atr_pk_[0-9A-Za-z]{32}$/;

/**
 * Admits a request from a page: the key must name a widget, the widget be enabled and its
 * assistant published, and `origin` (the browser's `Origin` header) be on its allowlist.
 * Each refusal is a 403 with its own code, so the widget can say which it was.
 */
export const admitWidget = async (ctx: CoreContext, publicKey: string | undefined, origin: string | undefined): Promise<AdmittedWidget> => {
  // No key at all is the same refusal as a wrong one (API.md: all require a public key, else 403).
  const found = publicKey !== undefined && PUBLIC_KEY.test(publicKey) ? await ctx.widgetCache.getOrLoad(publicKey, () => ctx.store.system.findWidgetByPublicKey(publicKey)) : null;
  if (!found) throw refuse('invalid_widget_key', 'This widget key is unknown; it may have been rotated');
  return { widget: found.widget, assistantName: found.assistantName, origin: requireOpen(found.widget, found.published, origin) };
};

/** Whether any enabled widget allows `origin`: what a CORS preflight, which carries no key, can be checked against. */
export const anyWidgetAllowsOrigin = (ctx: CoreContext, origin: string | undefined): Promise<boolean> =>
  ctx.store.system.anyWidgetAllows(originCandidates(origin));

/** A visitor whose session, widget and origin were checked: the assistant is theirs to talk to. */
export interface AdmittedVisitor {
  claims: VisitorClaims;
  widget: WidgetRecord;
  assistant: Assistant;
  origin: string;
}

const keyIdOf = async (publicKey: string) => (await sha256Hex(publicKey)).slice(0, 16);

/**
 * Admits a visitor's request: a valid session token (401 otherwise, `invalid_visitor_token`;
 * `session_ended` once the widget's key was rotated), a widget still enabled on a published
 * assistant (403 `widget_disabled`), and an origin it allows (403 `origin_not_allowed`).
 */
export const admitVisitor = async (ctx: CoreContext, visitorToken: string | undefined, origin: string | undefined): Promise<AdmittedVisitor> => {
  const claims = visitorToken ? await ctx.visitorTokens.verify(visitorToken) : null;
  if (!claims) throw unauthenticated('The visitor session is missing, invalid or expired: start a new one', 'invalid_visitor_token');
  const repos = ctx.store.forTenant(claims.tenantId);
  const [widget, assistant] = await Promise.all([repos.widgets.get(claims.assistantId), repos.assistants.get(claims.assistantId)]);
  if (!widget || !assistant || (await keyIdOf(widget.publicKey)) !== claims.keyId)
    throw unauthenticated("The widget's key changed: start a new session", 'session_ended');
  return { claims, widget, assistant, origin: requireOpen(widget, assistant.published, origin) };
};

/** What a page shows before the visitor says anything. */
export interface WidgetConfig {
  assistantId: string;
  name: string;
  greeting: string | null;
  starterPrompts: string[];
  theme: WidgetTheme;
  identityRequired: boolean;
}

export const widgetConfig = ({ widget, assistantName }: AdmittedWidget): WidgetConfig => ({
  assistantId: widget.assistantId,
  name: assistantName,
  greeting: widget.greeting,
  starterPrompts: widget.starterPrompts,
  theme: widget.theme,
  identityRequired: widget.identity.required,
});

export interface VisitorSessionInput {
  /** A JWT the host site's backend signed with the widget's identity secret. */
  identityToken?: string | undefined;
  /** The visitor's previous session token (expired or not), to stay the same visitor. */
  visitorToken?: string | undefined;
}

export interface VisitorSession {
  visitorToken: string;
  expiresIn: number;
  visitor: { id: string; verified: boolean; name: string | null };
}

/**
 * A session for a visitor of an admitted widget. With a valid identity token the visitor is
 * that site user, the same on every device; without one (or with a bad one, unless the
 * widget requires identities) an anonymous visitor, who stays the same visitor when renewing
 * with their previous token.
 */
export const startVisitorSession = async (ctx: CoreContext, { widget }: AdmittedWidget, input: VisitorSessionInput): Promise<VisitorSession> => {
  let identity: VerifiedIdentity | null = null;
  if (input.identityToken && widget.identitySecret) identity = await ctx.visitorTokens.verifyIdentity(input.identityToken, widget.identitySecret);
  if (!identity && widget.identity.required)
    throw input.identityToken
      ? unauthenticated('The identity token is invalid or expired', 'invalid_identity_token')
      : unauthenticated("This widget needs an identity token from the site's backend", 'identity_required');

  // Sessions end when the key is rotated: they carry a digest of the key they began with.
  const keyId = await keyIdOf(widget.publicKey);
  let visitorId: string;
  if (identity) {
    visitorId = `idn_${(await sha256Hex(`${widget.assistantId}\n${identity.subject}`)).slice(0, 32)}`;
  } else {
    const previous = input.visitorToken ? await ctx.visitorTokens.verify(input.visitorToken, { renewal: true }) : null;
    const same = previous && previous.assistantId === widget.assistantId && previous.keyId === keyId && previous.identity === null;
    visitorId = same ? previous.visitorId : `anon_${ctx.ids.next()}`;
  }
  const visitorToken = await ctx.visitorTokens.sign({ visitorId, tenantId: widget.tenantId, assistantId: widget.assistantId, keyId, identity });
  return { visitorToken, expiresIn: ctx.visitorTokens.ttlSeconds, visitor: { id: visitorId, verified: identity !== null, name: identity?.name ?? null } };
};
