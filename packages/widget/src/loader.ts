/**
 * The script-tag entry (`widget.js`): defines <atrium-chat> and mounts one from the
 * script's data attributes. Built as a classic script, so `document.currentScript` is
 * this <script> while the bundle evaluates (it is null later, and in modules).
 */
import './define.js';

const script = document.currentScript as HTMLScriptElement | null;

const mount = (): void => {
  const data = script?.dataset;
  if (!script || !data?.assistantKey) return;
  const chat = document.createElement('atrium-chat');
  chat.setAttribute('public-key', data.assistantKey);
  chat.setAttribute('base-url', data.baseUrl || new URL(script.src, location.href).origin);
  chat.setAttribute('mode', data.mode || 'bubble');
  document.body.append(chat);
};

if (document.body) mount();
else document.addEventListener('DOMContentLoaded', mount, { once: true });
