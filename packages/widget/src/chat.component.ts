import { LitElement, html } from 'lit';

/** Placeholder while the component is built: renders the launcher only. */
export class AtriumChat extends LitElement {
  override render() {
    return html`<button part="launcher" aria-label="Open chat">Chat</button>`;
  }
}
