/**
 * The script-tag entry (`widget.js`): defines <atrium-chat> and mounts one from the
 * script's data attributes:
 *
 *   <script src="https://atrium.example/widget.js" data-assistant-key="atr_pk_..." async></script>
 *
 * Built as a classic script (IIFE), not a module: `document.currentScript` is this
 * <script> only while a classic script evaluates (async included), and null in modules.
 */
import './define.js';

const script = document.currentScript as HTMLScriptElement | null;

/** data-* attribute → <atrium-chat> attribute, copied when present. */
const COPIED = {
  mode: 'mode',
  lang: 'lang',
  identityToken: 'identity-token',
  storageKey: 'storage-key',
  theme: 'theme',
  position: 'position',
} as const;

/** `data-no-persist` (or `data-no-persist="true"`) turns persistence off; `"false"` leaves it on. */
const flag = (value: string | undefined): boolean => value !== undefined && value !== 'false';

const mount = (): void => {
  const data = script?.dataset;
  if (!script || !data) return;
  if (!data.assistantKey) return console.warn('[atrium] widget.js needs data-assistant-key="atr_pk_..."');
  const chat = document.createElement('atrium-chat');
  chat.setAttribute('public-key', data.assistantKey);
  // Atrium serves widget.js itself, so the script's own origin is where its API is.
  chat.setAttribute('base-url', data.baseUrl || new URL(script.src, location.href).origin);
  for (const [key, attribute] of Object.entries(COPIED)) {
    const value = data[key];
    if (value) chat.setAttribute(attribute, value);
  }
  if (flag(data.noPersist)) chat.setAttribute('no-persist', '');
  // The script's nonce (hidden from getAttribute once parsed) serves the widget's styles too.
  if (script.nonce) chat.setAttribute('nonce', script.nonce);
  const target = data.target ? document.querySelector(data.target) : null;
  if (data.target && !target) console.warn(`[atrium] data-target "${data.target}" matches nothing; the chat goes at the end of <body>`);
  (target ?? document.body).append(chat);
};

if (document.body) mount();
else document.addEventListener('DOMContentLoaded', mount, { once: true });
