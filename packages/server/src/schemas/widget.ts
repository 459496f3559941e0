import { z } from '@hono/zod-openapi';
import { WIDGET_LIMITS, WIDGET_POSITIONS, type WidgetSettings } from '@atrium/core';
import { iso } from './common.js';

// Shapes only; core checks the values (origins, colours, ranges) and names each bad field.
const Theme = z
  .object({
    primaryColor: z.string().max(20).optional().openapi({ description: 'A hex colour', example: '#0b5fff' }),
    position: z.enum(WIDGET_POSITIONS).optional(),
    title: z.string().max(WIDGET_LIMITS.title).optional().openapi({ description: "The panel's title; the assistant's name when left out" }),
  })
  .openapi('WidgetTheme');

const RateLimit = z
  .object({
    messagesPerMinute: z.number().int().openapi({ description: 'Per visitor; the key as a whole gets ten times as many', example: 10 }),
    messagesPerDay: z.number().int().openapi({ example: 200 }),
  })
  .openapi('WidgetRateLimit');

export const WidgetSettingsSchema = z
  .object({
    assistantId: z.string(),
    enabled: z.boolean(),
    allowedOrigins: z.array(z.string()).openapi({
      description: 'Sites that may embed the widget: exact origins, or every subdomain where written so (`https://*.example.com`)',
      example: ['https://shop.example'],
    }),
    greeting: z.string().nullable(),
    starterPrompts: z.array(z.string()),
    theme: Theme,
    rateLimit: RateLimit,
    identity: z.object({ required: z.boolean().openapi({ description: 'Refuse visitors without a valid identity token' }) }),
    publicKey: z.string().openapi({ description: 'The `atr_pk_...` key pages embed; public by design', example: 'atr_pk_…' }),
    identitySecretSet: z.boolean().openapi({ description: 'Whether an identity secret exists (the secret itself is shown once, when made)' }),
    updatedAt: z.string(),
  })
  .openapi('WidgetSettings');

export const WidgetSettingsUpdateSchema = z
  .object({
    enabled: z.boolean(),
    allowedOrigins: z.array(z.string().max(300)).max(WIDGET_LIMITS.origins),
    greeting: z.string().max(WIDGET_LIMITS.greeting).nullable().optional(),
    starterPrompts: z.array(z.string().max(WIDGET_LIMITS.starterPrompt)).max(WIDGET_LIMITS.starterPrompts).optional(),
    theme: Theme.optional(),
    rateLimit: RateLimit.partial().optional(),
    identity: z.object({ required: z.boolean().optional() }).optional(),
  })
  .openapi('WidgetSettingsUpdate');

export const widgetSettingsJson = (w: WidgetSettings) => ({
  assistantId: w.assistantId,
  enabled: w.enabled,
  allowedOrigins: w.allowedOrigins,
  greeting: w.greeting,
  starterPrompts: w.starterPrompts,
  theme: w.theme,
  rateLimit: w.rateLimit,
  identity: w.identity,
  publicKey: w.publicKey,
  identitySecretSet: w.identitySecretSet,
  updatedAt: iso(w.updatedAt),
});

export const WidgetConfigSchema = z
  .object({
    assistantId: z.string(),
    name: z.string(),
    greeting: z.string().nullable(),
    starterPrompts: z.array(z.string()),
    theme: Theme,
    identityRequired: z.boolean(),
  })
  .openapi('WidgetConfig');

export const VisitorSessionSchema = z
  .object({
    visitorToken: z.string().openapi({ description: 'Send as `Authorization: Bearer ...` to the widget endpoints; valid only there' }),
    expiresIn: z.number().int().openapi({ description: 'Seconds until it expires; then renew with `visitorToken`' }),
    visitor: z.object({ id: z.string(), verified: z.boolean(), name: z.string().nullable() }),
  })
  .openapi('VisitorSession');
