import type { WidgetSettings, WidgetSettingsInput } from '../domain/widget.js';

/** A widget as stored: its settings with the identity secret itself, which never leaves core. */
export interface WidgetRecord extends Omit<WidgetSettings, 'identitySecretSet'> {
  tenantId: string;
  identitySecret: string | null;
}

/** A widget as the public endpoints find it by its key, with what they need of its assistant. */
export interface PublicWidget {
  widget: WidgetRecord;
  assistantName: string;
  published: boolean;
}

export interface WidgetRepository {
  get(assistantId: string): Promise<WidgetRecord | null>;
  /** The assistant's widget; created with `defaults` and `publicKey` if it has none yet. */
  ensure(assistantId: string, defaults: WidgetSettingsInput, publicKey: string, now: Date): Promise<WidgetRecord>;
  update(assistantId: string, settings: WidgetSettingsInput, now: Date): Promise<WidgetRecord | null>;
  setPublicKey(assistantId: string, publicKey: string, now: Date): Promise<WidgetRecord | null>;
  setIdentitySecret(assistantId: string, secret: string, now: Date): Promise<WidgetRecord | null>;
}
