import { invalid } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import {
  checkWidgetSettings,
  DEFAULT_WIDGET_SETTINGS,
  normalizeAllowedOrigin,
  type WidgetSettings,
  type WidgetSettingsInput,
} from '../../domain/widget.js';
import type { WidgetRecord } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { randomBase62 } from '../shared/secrets.js';
import { requireAssistant } from './access.js';

/** A widget's public key: `atr_pk_` and 32 base62 characters (190 bits). */
export const newWidgetPublicKey = (): string => `atr_pk_${randomBase62(32)}`;

const toSettings = ({ identitySecret, tenantId: _tenantId, ...settings }: WidgetRecord): WidgetSettings => ({
  ...settings,
  identitySecretSet: identitySecret !== null,
});

/** The assistant's widget for one who may change the assistant; made (disabled) on first use. */
const loadWidget = async (ctx: CoreContext, actor: Actor, assistantId: string): Promise<WidgetRecord> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireAssistant(repos, actor, assistantId, 'write');
  return repos.widgets.ensure(assistantId, DEFAULT_WIDGET_SETTINGS, newWidgetPublicKey(), ctx.clock.now());
};

/** Widget settings, as `GET /assistants/{id}/widget` shows them (space editors and admins). */
export const getWidgetSettings = async (ctx: CoreContext, actor: Actor, assistantId: string): Promise<WidgetSettings> =>
  toSettings(await loadWidget(ctx, actor, assistantId));

export interface WidgetSettingsUpdate extends Pick<WidgetSettingsInput, 'enabled' | 'allowedOrigins'> {
  greeting?: string | null | undefined;
  starterPrompts?: string[] | undefined;
  theme?: WidgetSettingsInput['theme'] | undefined;
  rateLimit?: Partial<WidgetSettingsInput['rateLimit']> | undefined;
  identity?: { required?: boolean | undefined } | undefined;
}

/** Replaces the widget's settings (PUT): fields left out take their defaults. Origins are stored normalised. */
export const updateWidgetSettings = async (ctx: CoreContext, actor: Actor, assistantId: string, update: WidgetSettingsUpdate): Promise<WidgetSettings> => {
  const defaults = DEFAULT_WIDGET_SETTINGS;
  const input: WidgetSettingsInput = {
    enabled: update.enabled,
    allowedOrigins: update.allowedOrigins,
    greeting: update.greeting?.trim() ? update.greeting : null,
    starterPrompts: update.starterPrompts ?? defaults.starterPrompts,
    theme: update.theme ?? defaults.theme,
    rateLimit: {
      messagesPerMinute: update.rateLimit?.messagesPerMinute ?? defaults.rateLimit.messagesPerMinute,
      messagesPerDay: update.rateLimit?.messagesPerDay ?? defaults.rateLimit.messagesPerDay,
    },
    identity: { required: update.identity?.required ?? defaults.identity.required },
  };
  // Access first: someone who may not see the assistant learns nothing from validation.
  await loadWidget(ctx, actor, assistantId);
  const errors = checkWidgetSettings(input);
  if (errors.length > 0) throw invalid(errors);
  const allowedOrigins = [...new Set(input.allowedOrigins.map((origin) => normalizeAllowedOrigin(origin)!))];
  const updated = await ctx.store.forTenant(actor.tenantId).widgets.update(assistantId, { ...input, allowedOrigins }, ctx.clock.now());
  ctx.widgetCache.clear();
  return toSettings(updated!);
};

/** A new public key; the old one stops working at once. */
export const rotateWidgetKey = async (ctx: CoreContext, actor: Actor, assistantId: string): Promise<WidgetSettings> => {
  await loadWidget(ctx, actor, assistantId);
  const updated = await ctx.store.forTenant(actor.tenantId).widgets.setPublicKey(assistantId, newWidgetPublicKey(), ctx.clock.now());
  ctx.widgetCache.clear();
  return toSettings(updated!);
};

/**
 * A new identity secret, which a host site's backend signs visitor identities with (HS256).
 * Returned here only, never again; a new one replaces the old at once.
 */
export const createWidgetIdentitySecret = async (
  ctx: CoreContext,
  actor: Actor,
  assistantId: string,
): Promise<{ identitySecret: string; widget: WidgetSettings }> => {
  await loadWidget(ctx, actor, assistantId);
  const identitySecret = `atr_whs_${randomBase62(43)}`;
  const updated = await ctx.store.forTenant(actor.tenantId).widgets.setIdentitySecret(assistantId, identitySecret, ctx.clock.now());
  ctx.widgetCache.clear();
  return { identitySecret, widget: toSettings(updated!) };
};
