import { AtriumChat } from './chat.component.js';

// A page may load both the npm build and the script-tag bundle: the first one wins.
if (!customElements.get('atrium-chat')) customElements.define('atrium-chat', AtriumChat);

declare global {
  interface HTMLElementTagNameMap {
    'atrium-chat': AtriumChat;
  }
}
