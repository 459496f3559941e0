import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatSession, ChatState } from './chat-session.js';

/**
 * The thin Lit side of a ChatSession: subscribes while the host is connected and asks
 * it to render on every change (Lit batches them, so a burst of deltas is one render).
 */
export class SessionController implements ReactiveController {
  #host: ReactiveControllerHost & HTMLElement;
  #session: ChatSession | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    host.addController(this);
  }

  get session(): ChatSession | undefined {
    return this.#session;
  }

  get state(): ChatState | undefined {
    return this.#session?.state;
  }

  /** Replaces the session (new key, new base URL...), stopping the old one. */
  set(session: ChatSession | undefined): void {
    this.hostDisconnected();
    this.#session = session;
    if (this.#host.isConnected) this.hostConnected();
    this.#host.requestUpdate();
  }

  hostConnected(): void {
    this.#unsubscribe ??= this.#session?.subscribe(() => this.#host.requestUpdate());
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#session?.stop();
  }
}
