import { css } from 'lit';

// Dark colours, used by `theme="dark"` and by the system preference unless `theme="light"`.
const dark = css`
  --_bg: var(--atrium-background, #16191d);
  --_surface: var(--atrium-surface, #22272e);
  --_text: var(--atrium-text, #e6edf3);
  --_muted: var(--atrium-muted, #a3acb7);
  --_border: var(--atrium-border, #3d444d);
  --_link: var(--atrium-link, #8ab4ff);
  --_code-bg: var(--atrium-code-background, #0d1117);
`;

/**
 * Shadow DOM keeps the host page's selectors out and ours in; `all: initial` on the host
 * also stops inherited properties (font, colour, line height, letter spacing...) from
 * leaking in. Only `--atrium-*` custom properties cross, on purpose.
 */
export const styles = css`
  :host {
    all: initial;
    display: block;
    --_radius: var(--atrium-radius, 12px);
    --_font: var(--atrium-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    --_bg: var(--atrium-background, #fff);
    --_surface: var(--atrium-surface, #f3f4f6);
    --_text: var(--atrium-text, #1f2328);
    --_muted: var(--atrium-muted, #59636e);
    --_border: var(--atrium-border, #d1d9e0);
    --_link: var(--atrium-link, #1849a9);
    --_code-bg: var(--atrium-code-background, #eef0f3);
  }
  :host([hidden]) {
    display: none;
  }
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${dark}
    }
  }
  :host([mode='fullpage']) {
    height: 100%;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  /* Again below the host: a page rule that styles the <atrium-chat> element itself beats :host. */
  .root {
    all: initial;
    display: block;
    /* Here, not on :host: the settings' colour (--_theme-primary) is set on this element. */
    --_primary: var(--atrium-primary, var(--_theme-primary, #1f5fd6));
    --_on-primary: var(--atrium-on-primary, var(--_theme-on-primary, #fff));
    font-family: var(--_font);
    font-size: var(--atrium-font-size, 15px);
    line-height: 1.5;
    color: var(--_text);
    height: 100%;
  }
  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
  }
  :focus-visible {
    outline: 2px solid var(--_primary);
    outline-offset: 2px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  /* Launcher (bubble mode). Position is physical on purpose: the admin picks a corner. */
  .launcher {
    position: fixed;
    bottom: var(--atrium-offset, 20px);
    right: var(--atrium-offset, 20px);
    z-index: var(--atrium-z-index, 2147483000);
    width: 56px;
    height: 56px;
    border: none;
    border-radius: 50%;
    background: var(--_primary);
    color: var(--_on-primary);
    box-shadow: var(--atrium-shadow, 0 6px 24px rgb(0 0 0 / 0.2));
    display: grid;
    place-items: center;
  }
  .left .launcher,
  .left .panel.floating {
    right: auto;
    left: var(--atrium-offset, 20px);
  }
  .launcher svg {
    width: 26px;
    height: 26px;
  }

  /* Panel */
  .panel {
    display: flex;
    flex-direction: column;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
    height: 100%;
    min-height: 320px;
  }
  .panel[hidden] {
    display: none;
  }
  .panel.floating {
    position: fixed;
    bottom: calc(var(--atrium-offset, 20px) + 68px);
    right: var(--atrium-offset, 20px);
    z-index: var(--atrium-z-index, 2147483000);
    width: var(--atrium-panel-width, 380px);
    height: var(--atrium-panel-height, min(640px, calc(100vh - 120px)));
    box-shadow: var(--atrium-shadow, 0 6px 24px rgb(0 0 0 / 0.2));
  }
  :host([mode='inline']) .panel {
    height: var(--atrium-panel-height, 560px);
  }
  :host([mode='fullpage']) .panel {
    border-radius: 0;
    border: none;
  }
  /* Phones: the floating panel takes the whole screen. */
  @media (max-width: 639.98px) {
    .panel.floating {
      inset: 0;
      width: 100%;
      height: 100%;
      border-radius: 0;
      border: none;
    }
  }

  .header {
    display: flex;
    align-items: center;
    gap: 4px;
    padding: 10px 12px;
    background: var(--_primary);
    color: var(--_on-primary);
  }
  .title {
    flex: 1;
    margin: 0;
    font-size: 1.05em;
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .icon-button {
    border: none;
    background: transparent;
    color: inherit;
    border-radius: 6px;
    width: 36px;
    height: 36px;
    display: grid;
    place-items: center;
  }
  .icon-button:hover {
    background: rgb(255 255 255 / 0.18);
  }
  .icon-button svg {
    width: 20px;
    height: 20px;
  }
  .header :focus-visible {
    outline-color: var(--_on-primary);
  }

  .messages {
    flex: 1;
    overflow-y: auto;
    padding: 12px;
    display: flex;
    flex-direction: column;
    gap: 10px;
    overscroll-behavior: contain;
  }
  .message {
    max-width: 88%;
    padding: 8px 12px;
    border-radius: var(--_radius);
    overflow-wrap: anywhere;
  }
  .message.user {
    align-self: flex-end;
    background: var(--_primary);
    color: var(--_on-primary);
    white-space: pre-wrap;
  }
  .message.assistant,
  .greeting {
    align-self: flex-start;
    background: var(--_surface);
  }
  .greeting {
    margin: 0;
    padding: 8px 12px;
    border-radius: var(--_radius);
    max-width: 88%;
  }
  .message.assistant[aria-busy='true'] .body:empty::after {
    content: '…';
    color: var(--_muted);
  }
  .body > :first-child {
    margin-top: 0;
  }
  .body > :last-child {
    margin-bottom: 0;
  }
  .body p,
  .body ul,
  .body ol,
  .body pre,
  .body blockquote,
  .body table {
    margin: 0 0 0.6em;
  }
  .body h1,
  .body h2,
  .body h3,
  .body h4,
  .body h5,
  .body h6 {
    font-size: 1em;
    margin: 0.6em 0 0.3em;
  }
  .body ul,
  .body ol {
    padding-inline-start: 1.4em;
  }
  .body a,
  .sources a {
    color: var(--_link);
  }
  .body code {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.9em;
    background: var(--_code-bg);
    border-radius: 4px;
    padding: 0.1em 0.3em;
  }
  .body pre {
    background: var(--_code-bg);
    border-radius: 8px;
    padding: 8px 10px;
    overflow-x: auto;
    direction: ltr;
  }
  .body pre code {
    background: none;
    padding: 0;
    white-space: pre;
  }
  .body blockquote {
    border-inline-start: 3px solid var(--_border);
    padding-inline-start: 8px;
    color: var(--_muted);
  }
  .body table {
    border-collapse: collapse;
  }
  .body th,
  .body td {
    border: 1px solid var(--_border);
    padding: 2px 6px;
  }
  .citation {
    border: none;
    background: none;
    padding: 0 1px;
    color: var(--_link);
    font-size: 0.85em;
    vertical-align: super;
    line-height: 1;
  }

  .sources {
    margin-top: 8px;
    padding-top: 6px;
    border-top: 1px solid var(--_border);
    font-size: 0.88em;
  }
  .sources h3 {
    font-size: 1em;
    margin: 0 0 4px;
    color: var(--_muted);
  }
  .sources ol {
    margin: 0;
    padding-inline-start: 1.4em;
  }
  .sources li:target,
  .sources li.highlight {
    background: color-mix(in srgb, var(--_primary) 15%, transparent);
  }
  .sources details summary {
    color: var(--_muted);
    cursor: pointer;
  }
  .sources blockquote {
    margin: 4px 0;
    padding-inline-start: 8px;
    border-inline-start: 3px solid var(--_border);
    white-space: pre-wrap;
  }

  .feedback {
    display: flex;
    gap: 2px;
    margin-top: 4px;
  }
  .feedback button {
    border: 1px solid transparent;
    background: none;
    color: var(--_muted);
    border-radius: 6px;
    width: 32px;
    height: 28px;
    display: grid;
    place-items: center;
  }
  .feedback button[aria-pressed='true'] {
    color: var(--_primary);
    border-color: var(--_border);
  }
  .feedback svg {
    width: 16px;
    height: 16px;
  }

  .starters {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .starter {
    border: 1px solid var(--_primary);
    background: var(--_bg);
    color: var(--_text);
    border-radius: 999px;
    padding: 6px 12px;
    text-align: start;
  }

  .error {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 0 12px 8px;
    padding: 8px 10px;
    border-radius: 8px;
    background: #fdecea;
    color: #7a1712;
    border: 1px solid #f1aeb5;
  }
  .error span {
    flex: 1;
  }
  .retry {
    border: 1px solid currentColor;
    background: none;
    border-radius: 6px;
    padding: 4px 10px;
    white-space: nowrap;
  }

  .composer {
    display: flex;
    gap: 8px;
    align-items: flex-end;
    padding: 10px 12px;
    border-top: 1px solid var(--_border);
  }
  .input {
    flex: 1;
    resize: none;
    /* 16px or more: iOS zooms into smaller inputs on focus. */
    font: 16px/1.4 var(--_font);
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 8px;
    padding: 8px 10px;
    max-height: 140px;
    min-height: 40px;
  }
  .input::placeholder {
    color: var(--_muted);
  }
  .send {
    border: none;
    border-radius: 8px;
    background: var(--_primary);
    color: var(--_on-primary);
    width: 40px;
    height: 40px;
    display: grid;
    place-items: center;
    flex: none;
  }
  .send:disabled {
    opacity: 0.6;
    cursor: default;
  }
  .send svg {
    width: 20px;
    height: 20px;
  }
  [dir='rtl'] .send svg {
    transform: scaleX(-1);
  }
  @media (prefers-reduced-motion: no-preference) {
    .panel.floating {
      animation: rise 0.16s ease-out;
    }
    @keyframes rise {
      from {
        opacity: 0;
        transform: translateY(8px);
      }
    }
  }
`;
