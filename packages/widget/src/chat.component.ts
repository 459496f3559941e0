import { AtriumWidgetClient, type Reference } from '@atrium/sdk/widget';
import { LitElement, html, nothing, supportsAdoptingStyleSheets, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styles } from './chat.styles.js';
import type { AtriumChatEventMap, AtriumErrorDetail, AtriumMessageDetail } from './events.js';
import { isRtl, stringsFor, type Strings } from './i18n.js';
import { chatIcon, closeIcon, downIcon, newIcon, sendIcon, upIcon } from './icons.js';
import { ChatSession, type ChatMessage } from './internal/chat-session.js';
import { reachableByNoCors } from './internal/errors.js';
import { MarkdownView, safeHref } from './internal/markdown.js';
import { SessionController } from './internal/session-controller.js';
import { localChatStorage, memoryChatStorage, storageKeyFor } from './internal/storage.js';

export type ChatMode = 'bubble' | 'inline' | 'fullpage';

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
const textOn = (hex: string): string => {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#111' : '#fff';
};

/** `#abc` → `#aabbcc`; anything that is not a hex colour → undefined. */
const hexColor = (value: string | undefined): string | undefined => {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value ?? '');
  if (!match) return undefined;
  const digits = match[1]!;
  return `#${digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits}`;
};

/** Indexes cited as `[n]` in an answer, so the sources list shows what the answer used. */
const citedIn = (text: string): Set<number> => new Set([...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])));

/**
 * @summary A chat with an Atrium assistant: launcher bubble, inline panel or full page.
 *
 * @event atrium-open - The panel opened.
 * @event atrium-close - The panel closed.
 * @event atrium-message - The visitor sent a message, or an answer finished (`AtriumMessageDetail`).
 * @event atrium-error - Something failed (`AtriumErrorDetail`); the error banner shows it.
 *
 * @csspart launcher, panel, header, title, close-button, new-conversation-button, messages,
 * message, message-user, message-assistant, citation, sources, composer, input, send-button,
 * starter-prompt, feedback-up, feedback-down, error, retry-button, greeting
 *
 * @cssprop --atrium-primary, --atrium-on-primary, --atrium-background, --atrium-surface,
 * --atrium-text, --atrium-muted, --atrium-border, --atrium-link, --atrium-code-background,
 * --atrium-font, --atrium-font-size, --atrium-radius, --atrium-shadow, --atrium-offset,
 * --atrium-z-index, --atrium-panel-width, --atrium-panel-height
 */
export class AtriumChat extends LitElement {
  static override styles = styles;

  static override properties = {
    publicKey: { attribute: 'public-key' },
    baseUrl: { attribute: 'base-url' },
    mode: { reflect: true },
    language: { attribute: 'lang' },
    identityToken: { attribute: 'identity-token' },
    noPersist: { attribute: 'no-persist', type: Boolean },
    storageKey: { attribute: 'storage-key' },
    isOpen: { type: Boolean, reflect: true, attribute: 'open' },
    theme: { reflect: true },
    position: {},
    _announcement: { state: true },
  };

  /** The assistant's widget public key (`atr_pk_...`). */
  declare publicKey: string;
  /** Where Atrium runs; the page's own origin when left out. */
  declare baseUrl: string;
  declare mode: ChatMode;
  /** `lang`: the UI language (en, sv, de); the page's language when left out. */
  declare language: string;
  /** A JWT from the host site's backend, for a verified visitor. */
  declare identityToken: string;
  /** Keep nothing in localStorage: the conversation ends with the page. */
  declare noPersist: boolean;
  /** Keeps this instance's conversation apart from others with the same public key. */
  declare storageKey: string;
  /**
   * Bubble mode: whether the panel is open (the `open` attribute, reflected). Named
   * `isOpen` because `open()` is the method.
   */
  declare isOpen: boolean;
  /** `light` or `dark`; the system preference when left out. */
  declare theme: 'light' | 'dark' | undefined;
  /** `bottom-right` or `bottom-left`; the widget settings' position when left out. */
  declare position: 'bottom-right' | 'bottom-left' | undefined;
  declare _announcement: string;

  #controller = new SessionController(this);
  #views = new Map<string, MarkdownView>();
  /** Whether the message list follows new text (the visitor has not scrolled up). */
  #follow = true;
  #returnFocus = false;

  constructor() {
    super();
    this.publicKey = '';
    this.baseUrl = '';
    this.mode = 'bubble';
    this.language = '';
    this.identityToken = '';
    this.noPersist = false;
    this.storageKey = '';
    this.isOpen = false;
    this._announcement = '';
  }

  // ---- Public API -------------------------------------------------------------------

  /** Opens the panel (bubble mode) and moves focus into it. */
  open(): void {
    this.isOpen = true;
  }

  /** Closes the panel; focus goes back to the launcher if it was in the panel. */
  close(): void {
    this.isOpen = false;
  }

  toggle(): void {
    this.isOpen = !this.isOpen;
  }

  /** Asks `text` as if the visitor had typed it. */
  send(text: string): Promise<void> {
    return this.#controller.session?.send(text) ?? Promise.resolve();
  }

  /** Starts a new conversation. */
  reset(): void {
    this.#controller.session?.reset();
    this.#views.clear();
  }

  /** Becomes a verified visitor with a token from the host site's backend (a new conversation). */
  identify(identityToken: string): void {
    this.identityToken = identityToken;
  }

  // ---- Lifecycle --------------------------------------------------------------------

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    // Only browsers without constructable stylesheets need <style> elements, and Lit gives
    // those the page's nonce from `litNonce`: take it from our `nonce` attribute.
    // Browsers hide a nonce attribute once the element is in the page; the property keeps it.
    const nonce = this.nonce || this.getAttribute('nonce');
    const global = globalThis as { litNonce?: string };
    if (!supportsAdoptingStyleSheets && nonce) global.litNonce ??= nonce;
    return super.createRenderRoot();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const session = this.#controller.session;
    if (!session || changed.has('publicKey') || changed.has('baseUrl') || changed.has('noPersist') || changed.has('storageKey')) this.#startSession();
    else if (changed.has('identityToken')) {
      session.identify(this.identityToken || undefined);
      this.#views.clear();
    }
    if (changed.has('isOpen') && !this.isOpen) this.#returnFocus = this.shadowRoot?.activeElement != null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('isOpen') && changed.get('isOpen') !== undefined && this.#bubble) {
      this.#emit(this.isOpen ? 'atrium-open' : 'atrium-close', null);
      if (this.isOpen) this.#input?.focus();
      else if (this.#returnFocus) this.renderRoot.querySelector<HTMLElement>('[part="launcher"]')?.focus();
    }
    this.#applyTheme();
    const list = this.renderRoot.querySelector('.messages');
    if (list && this.#follow) list.scrollTop = list.scrollHeight;
    const keys = new Set(this.#controller.state?.messages.map((m) => m.key));
    for (const key of this.#views.keys()) if (!keys.has(key)) this.#views.delete(key);
  }

  /**
   * The settings' colour, through the CSSOM: a strict CSP blocks style attributes written as
   * markup (Lit's styleMap does that on its first render) but not `style.setProperty`.
   */
  #applyTheme(): void {
    const style = this.renderRoot.querySelector<HTMLElement>('.root')?.style;
    const primary = hexColor(this.#controller.state?.config?.theme.primaryColor ?? undefined);
    if (!style || style.getPropertyValue('--_theme-primary') === (primary ?? '')) return;
    if (primary) {
      style.setProperty('--_theme-primary', primary);
      style.setProperty('--_theme-on-primary', textOn(primary));
    } else {
      style.removeProperty('--_theme-primary');
      style.removeProperty('--_theme-on-primary');
    }
  }

  #startSession(): void {
    if (!this.publicKey) return this.#controller.set(undefined);
    const baseURL = (this.baseUrl || location.origin).replace(/\/+$/, '');
    const publicKey = this.publicKey;
    this.#views.clear();
    const session = new ChatSession({
      createClient: (options) => new AtriumWidgetClient({ publicKey, baseURL, maxRetries: 0, ...options }),
      storage: this.noPersist ? memoryChatStorage() : localChatStorage(storageKeyFor(publicKey, this.storageKey)),
      reachable: reachableByNoCors(`${baseURL}/healthz`),
      identityToken: this.identityToken || undefined,
      onMessage: (message, conversationId) => {
        if (message.role === 'assistant') this._announcement = this.#views.get(message.key)?.element.textContent ?? message.text;
        else this._announcement = this.#strings.answering;
        const detail: AtriumMessageDetail = {
          role: message.role,
          text: message.text,
          messageId: message.id ?? null,
          conversationId: conversationId ?? null,
          references: message.references,
        };
        this.#emit('atrium-message', detail);
      },
      onError: ({ code, status, message }) => {
        const detail: AtriumErrorDetail = { code, status, message };
        this.#emit('atrium-error', detail);
      },
    });
    this.#controller.set(session);
    void session.start();
  }

  // ---- Rendering --------------------------------------------------------------------

  get #strings(): Strings {
    return stringsFor(this.#lang);
  }

  get #lang(): string {
    return this.language || this.closest<HTMLElement>('[lang]')?.lang || document.documentElement.lang || navigator.language || 'en';
  }

  get #dir(): 'ltr' | 'rtl' {
    const own = this.getAttribute('dir');
    if (own === 'rtl' || own === 'ltr') return own;
    if (isRtl(this.#lang)) return 'rtl';
    if (this.language) return 'ltr';
    return this.closest('[dir]')?.getAttribute('dir') === 'rtl' ? 'rtl' : 'ltr';
  }

  /** Any mode but inline and fullpage is a bubble. */
  get #bubble(): boolean {
    return this.mode !== 'inline' && this.mode !== 'fullpage';
  }

  get #input(): HTMLTextAreaElement | null {
    return this.renderRoot.querySelector('textarea');
  }

  override render(): TemplateResult {
    const state = this.#controller.state;
    const t = this.#strings;
    const config = state?.config;
    const bubble = this.#bubble;
    const left = (this.position ?? config?.theme.position) === 'bottom-left';
    const title = config?.theme.title || config?.name || t.title;
    const messages = state?.messages ?? [];
    const streaming = state?.status === 'streaming';

    return html`<div class="root ${left ? 'left' : ''}" dir=${this.#dir} lang=${this.#lang}>
      ${bubble
        ? html`<button
            part="launcher"
            class="launcher"
            type="button"
            aria-label=${this.isOpen ? t.closeChat : t.openChat}
            aria-expanded=${this.isOpen ? 'true' : 'false'}
            aria-controls="panel"
            @click=${this.toggle}
          >
            ${this.isOpen ? closeIcon : chatIcon}
          </button>`
        : nothing}
      <section
        id="panel"
        part="panel"
        class="panel ${bubble ? 'floating' : ''}"
        role=${bubble ? 'dialog' : 'region'}
        aria-labelledby="title"
        ?hidden=${bubble && !this.isOpen}
        @keydown=${this.#onPanelKeydown}
      >
        <header part="header" class="header">
          <h2 part="title" class="title" id="title">${title}</h2>
          <button part="new-conversation-button" class="icon-button" type="button" aria-label=${t.newConversation} title=${t.newConversation} @click=${this.reset}>
            ${newIcon}
          </button>
          ${bubble
            ? html`<button part="close-button" class="icon-button" type="button" aria-label=${t.closeChat} title=${t.closeChat} @click=${this.close}>
                ${closeIcon}
              </button>`
            : nothing}
        </header>
        <div part="messages" class="messages" @click=${this.#onMessagesClick} @scroll=${this.#onScroll}>
          ${config?.greeting ? html`<p part="greeting" class="greeting">${config.greeting}</p>` : nothing}
          ${repeat(messages, (m) => m.key, (m) => this.#renderMessage(m, t))}
          ${messages.length === 0 && config?.starterPrompts.length
            ? html`<ul class="starters" aria-label=${t.suggestions}>
                ${config.starterPrompts.map(
                  (prompt) => html`<li><button part="starter-prompt" class="starter" type="button" @click=${() => this.send(prompt)}>${prompt}</button></li>`,
                )}
              </ul>`
            : nothing}
        </div>
        ${this.#renderError(t)}
        <form part="composer" class="composer" @submit=${this.#onSubmit}>
          <textarea part="input" class="input" rows="1" aria-label=${t.question} placeholder=${t.placeholder} @keydown=${this.#onInputKeydown}></textarea>
          <button part="send-button" class="send" type="submit" aria-label=${t.send} title=${t.send} ?disabled=${streaming}>${sendIcon}</button>
        </form>
        <div class="sr-only" aria-live="polite">${this._announcement}</div>
      </section>
    </div>`;
  }

  #renderMessage(m: ChatMessage, t: Strings): TemplateResult {
    if (m.role === 'user')
      return html`<div part="message message-user" class="message user"><span class="sr-only">${t.you}: </span>${m.text}</div>`;
    const view = this.#view(m, t);
    view.update(m.text, !m.streaming);
    const cited = citedIn(m.text);
    const sources = m.references.filter((r) => cited.has(r.index));
    return html`<div part="message message-assistant" class="message assistant" data-message-id=${m.id ?? nothing} aria-busy=${m.streaming ? 'true' : 'false'}>
      <span class="sr-only">${t.assistant}: </span>${view.element}
      ${sources.length ? this.#renderSources(sources, t) : nothing}
      ${m.id && !m.streaming ? this.#renderFeedback(m, t) : nothing}
    </div>`;
  }

  #view(m: ChatMessage, t: Strings): MarkdownView {
    let view = this.#views.get(m.key);
    if (!view) {
      const citation = (index: number): Element | undefined => {
        const current = this.#controller.state?.messages.find((x) => x.key === m.key);
        if (!current?.references.some((r) => r.index === index)) return undefined;
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'citation';
        button.setAttribute('part', 'citation');
        button.setAttribute('aria-label', t.source(index));
        button.dataset.citation = String(index);
        button.textContent = `[${index}]`;
        return button;
      };
      view = new MarkdownView({ citation });
      view.element.className = 'body';
      this.#views.set(m.key, view);
    }
    return view;
  }

  #renderSources(sources: readonly Reference[], t: Strings): TemplateResult {
    return html`<div part="sources" class="sources">
      <h3>${t.sources}</h3>
      <ol>
        ${sources.map((r) => {
          const href = r.url ? safeHref(r.url) : undefined;
          return html`<li value=${r.index} data-source=${r.index} tabindex="-1">
            ${href ? html`<a href=${href} target="_blank" rel="noopener noreferrer">${r.documentTitle}</a>` : r.documentTitle}
            <details>
              <summary>${t.showQuote}</summary>
              <blockquote>${r.text}</blockquote>
            </details>
          </li>`;
        })}
      </ol>
    </div>`;
  }

  #renderFeedback(m: ChatMessage, t: Strings): TemplateResult {
    const rate = (rating: 'up' | 'down') => () => void this.#controller.session?.feedback(m.id!, rating);
    return html`<div class="feedback">
      <button part="feedback-up" type="button" aria-label=${t.helpful} title=${t.helpful} aria-pressed=${m.feedback === 'up' ? 'true' : 'false'} @click=${rate('up')}>
        ${upIcon}
      </button>
      <button part="feedback-down" type="button" aria-label=${t.notHelpful} title=${t.notHelpful} aria-pressed=${m.feedback === 'down' ? 'true' : 'false'} @click=${rate('down')}>
        ${downIcon}
      </button>
    </div>`;
  }

  #renderError(t: Strings): TemplateResult | typeof nothing {
    const error = this.#controller.state?.error;
    if (!error) return nothing;
    // A spent conversation cannot be retried; a new one can be started.
    const fresh = error.code === 'conversation_limit';
    const retry = () => (fresh ? this.reset() : void this.#controller.session?.retry());
    return html`<div part="error" class="error" role="alert" data-error-code=${error.code}>
      <span>${t.errors[error.code]}</span>
      <button part="retry-button" class="retry" type="button" @click=${retry}>${fresh ? t.newConversation : t.retry}</button>
    </div>`;
  }

  // ---- Events -----------------------------------------------------------------------

  #emit<K extends keyof AtriumChatEventMap>(type: K, detail: AtriumChatEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #onPanelKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !this.#bubble || !this.isOpen) return;
    event.stopPropagation();
    this.close();
  };

  /** Enter sends; Shift+Enter (and Enter while an IME composes) adds a line. */
  #onInputKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.#submit();
  };

  #onSubmit = (event: Event): void => {
    event.preventDefault();
    this.#submit();
  };

  #submit(): void {
    const input = this.#input;
    if (!input?.value.trim() || this.#controller.state?.status === 'streaming') return;
    const text = input.value;
    input.value = '';
    this.#follow = true;
    void this.send(text);
  }

  #onScroll = (event: Event): void => {
    const list = event.currentTarget as HTMLElement;
    this.#follow = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  };

  /** A citation shows its source: scrolled to, focused and its quote opened. */
  #onMessagesClick = (event: Event): void => {
    const citation = (event.target as Element).closest?.('[data-citation]');
    if (!citation) return;
    const item = citation.closest('.message')?.querySelector<HTMLElement>(`[data-source="${citation.getAttribute('data-citation')}"]`);
    if (!item) return;
    item.querySelector('details')?.setAttribute('open', '');
    item.scrollIntoView?.({ block: 'nearest' });
    item.focus();
  };
}
