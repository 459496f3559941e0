import type { WidgetErrorCode } from './internal/errors.js';

export interface Strings {
  title: string;
  openChat: string;
  closeChat: string;
  newConversation: string;
  question: string;
  placeholder: string;
  send: string;
  you: string;
  assistant: string;
  sources: string;
  source: (index: number) => string;
  showQuote: string;
  helpful: string;
  notHelpful: string;
  retry: string;
  answering: string;
  suggestions: string;
  errors: Record<WidgetErrorCode, string>;
}

const en: Strings = {
  title: 'Chat',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  newConversation: 'New conversation',
  question: 'Your question',
  placeholder: 'Ask a question…',
  send: 'Send',
  you: 'You',
  assistant: 'Assistant',
  sources: 'Sources',
  source: (n) => `Source ${n}`,
  showQuote: 'Show quote',
  helpful: 'Helpful',
  notHelpful: 'Not helpful',
  retry: 'Try again',
  answering: 'Answering…',
  suggestions: 'Suggested questions',
  errors: {
    rate_limited: 'Too many messages. Wait a moment, then try again.',
    offline: 'You seem to be offline. Check your connection and try again.',
    origin_not_allowed: 'This chat is not available on this site.',
    server_error: 'Something went wrong. Please try again.',
    identity_required: 'Please sign in to use this chat.',
    conversation_limit: 'This conversation has reached its limit. Start a new conversation.',
  },
};

const sv: Strings = {
  title: 'Chatt',
  openChat: 'Öppna chatten',
  closeChat: 'Stäng chatten',
  newConversation: 'Ny konversation',
  question: 'Din fråga',
  placeholder: 'Ställ en fråga…',
  send: 'Skicka',
  you: 'Du',
  assistant: 'Assistent',
  sources: 'Källor',
  source: (n) => `Källa ${n}`,
  showQuote: 'Visa citat',
  helpful: 'Hjälpsamt',
  notHelpful: 'Inte hjälpsamt',
  retry: 'Försök igen',
  answering: 'Svarar…',
  suggestions: 'Förslag på frågor',
  errors: {
    rate_limited: 'För många meddelanden. Vänta en stund och försök igen.',
    offline: 'Du verkar vara offline. Kontrollera anslutningen och försök igen.',
    origin_not_allowed: 'Den här chatten är inte tillgänglig på den här webbplatsen.',
    server_error: 'Något gick fel. Försök igen.',
    identity_required: 'Logga in för att använda chatten.',
    conversation_limit: 'Konversationen har nått sin gräns. Starta en ny konversation.',
  },
};

const de: Strings = {
  title: 'Chat',
  openChat: 'Chat öffnen',
  closeChat: 'Chat schließen',
  newConversation: 'Neues Gespräch',
  question: 'Ihre Frage',
  placeholder: 'Stellen Sie eine Frage…',
  send: 'Senden',
  you: 'Sie',
  assistant: 'Assistent',
  sources: 'Quellen',
  source: (n) => `Quelle ${n}`,
  showQuote: 'Zitat anzeigen',
  helpful: 'Hilfreich',
  notHelpful: 'Nicht hilfreich',
  retry: 'Erneut versuchen',
  answering: 'Antwort wird geschrieben…',
  suggestions: 'Vorgeschlagene Fragen',
  errors: {
    rate_limited: 'Zu viele Nachrichten. Bitte warten Sie einen Moment und versuchen Sie es erneut.',
    offline: 'Sie scheinen offline zu sein. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
    origin_not_allowed: 'Dieser Chat ist auf dieser Website nicht verfügbar.',
    server_error: 'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.',
    identity_required: 'Bitte melden Sie sich an, um diesen Chat zu nutzen.',
    conversation_limit: 'Dieses Gespräch hat sein Limit erreicht. Beginnen Sie ein neues Gespräch.',
  },
};

const STRINGS: Record<string, Strings> = { en, sv, de };

/** The primary subtag (`sv-SE` → `sv`), lower case. */
const primary = (lang: string): string => lang.split(/[-_]/)[0]!.toLowerCase();

/** Strings for a BCP 47 tag; English for languages the widget does not speak. */
export const stringsFor = (lang: string): Strings => STRINGS[primary(lang)] ?? en;

const RTL = new Set(['ar', 'arc', 'dv', 'fa', 'he', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

export const isRtl = (lang: string): boolean => RTL.has(primary(lang));
