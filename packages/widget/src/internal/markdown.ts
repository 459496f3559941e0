import {
  BLOCKQUOTE,
  CHECKBOX,
  CHECKED,
  CODE_BLOCK,
  CODE_FENCE,
  CODE_INLINE,
  DOCUMENT,
  EQUATION_BLOCK,
  EQUATION_INLINE,
  HEADING_1,
  HEADING_6,
  HREF,
  IMAGE,
  ITALIC_AST,
  ITALIC_UND,
  LINE_BREAK,
  LINK,
  LIST_ITEM,
  LIST_ORDERED,
  LIST_UNORDERED,
  PARAGRAPH,
  RAW_URL,
  RULE,
  SRC,
  START,
  STRIKE,
  STRONG_AST,
  STRONG_UND,
  TABLE,
  TABLE_CELL,
  TABLE_ROW,
  parser,
  parser_end,
  parser_write,
  type Attr,
  type Parser,
  type Renderer,
  type Token,
} from 'streaming-markdown';

/**
 * The schemes a link from the model may have. Everything else (javascript:, data:, blob:,
 * vbscript:, ...) is dropped and its text shown as text. Relative links resolve against the
 * page first, so what is checked is what the browser would follow.
 */
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

export const safeHref = (value: string): string | undefined => {
  try {
    const url = new URL(value, globalThis.location?.href);
    return SAFE_SCHEMES.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
};

/**
 * streaming-markdown opens emphasis on any `_`, so `OPENAI_API_KEY` would come out as
 * OPENAI<em>API</em>KEY. CommonMark never lets an underscore between two letters or digits
 * open or close emphasis; such underscores reach the parser as a private-use stand-in and
 * are turned back into `_` wherever text or a link target comes out (code spans included).
 */
const INTRAWORD_UNDERSCORES = /(?<=[\p{L}\p{N}])_+(?=[\p{L}\p{N}])/gu;
const UNDERSCORE_STAND_IN = '\uE000';
const STAND_INS = new RegExp(UNDERSCORE_STAND_IN, 'g');
const hideIntrawordUnderscores = (text: string): string =>
  text.replace(INTRAWORD_UNDERSCORES, (run) => UNDERSCORE_STAND_IN.repeat(run.length));
const restoreUnderscores = (text: string): string => text.replace(STAND_INS, '_');
/** Underscores at the end of unfinished text: whether they sit inside a word depends on what comes next. */
const TRAILING_UNDERSCORES = /(?<=[\p{L}\p{N}])_+$/u;
/**
 * Underscores after a letter or digit (and, once intraword ones are hidden, before anything
 * else): CommonMark lets them close an open `_` emphasis but never open one, so `foo_.` stays
 * text unless an `_emphasis` is open.
 */
const CLOSING_ONLY_UNDERSCORES = /(?<=[\p{L}\p{N}])_+/gu;

const TAGS: Partial<Record<Token, string>> = {
  [PARAGRAPH]: 'p',
  [BLOCKQUOTE]: 'blockquote',
  [LINE_BREAK]: 'br',
  [RULE]: 'hr',
  [ITALIC_AST]: 'em',
  [ITALIC_UND]: 'em',
  [STRONG_AST]: 'strong',
  [STRONG_UND]: 'strong',
  [STRIKE]: 's',
  [CODE_INLINE]: 'code',
  [EQUATION_INLINE]: 'code',
  [EQUATION_BLOCK]: 'code',
  // Links and images start as inert anchors: their href is known only after their text.
  [LINK]: 'a',
  [RAW_URL]: 'a',
  [IMAGE]: 'a',
  [LIST_UNORDERED]: 'ul',
  [LIST_ORDERED]: 'ol',
  [LIST_ITEM]: 'li',
  [TABLE]: 'table',
};

export interface MarkdownOptions {
  /** The element for a `[n]` citation, or undefined to leave it as text (no such source). */
  citation?: ((index: number) => Element | undefined) | undefined;
}

interface RenderState {
  nodes: Element[];
  index: number;
  /** Anchors whose href was refused: their text stays, the link goes. */
  refused: WeakSet<Element>;
  /** `_emphasis_` and `__strong__` elements still open: what a closing-only `_` may close. */
  openUnderscores: Set<Element>;
  options: MarkdownOptions;
}

const create = (parent: Element, type: Token): { parent: Element; node: Element } => {
  const doc = parent.ownerDocument;
  if (type === CODE_BLOCK || type === CODE_FENCE) return { parent: parent.appendChild(doc.createElement('pre')), node: doc.createElement('code') };
  if (type === CHECKBOX) {
    const box = doc.createElement('input');
    box.type = 'checkbox';
    box.disabled = true;
    return { parent, node: box };
  }
  if (type === TABLE_ROW) {
    // The first row is the header; the rest go in one body.
    const count = parent.children.length;
    const section = count > 1 ? parent.children[1]! : parent.appendChild(doc.createElement(count === 0 ? 'thead' : 'tbody'));
    return { parent: section, node: doc.createElement('tr') };
  }
  if (type === TABLE_CELL) return { parent, node: doc.createElement(parent.parentElement?.tagName === 'THEAD' ? 'th' : 'td') };
  if (type >= HEADING_1 && type <= HEADING_6) return { parent, node: doc.createElement(`h${type - HEADING_1 + 1}`) };
  return { parent, node: doc.createElement(TAGS[type] ?? 'span') };
};

/** An anchor is finished: a safe link stays; `[n]` becomes a citation; anything else becomes its text. */
const finishAnchor = (anchor: Element, state: RenderState): void => {
  if (anchor.hasAttribute('href')) return;
  const text = anchor.textContent ?? '';
  let replacement: Node | undefined;
  if (!state.refused.has(anchor)) {
    replacement = /^\d+$/.test(text) ? state.options.citation?.(Number(text)) : undefined;
    replacement ??= anchor.ownerDocument.createTextNode(`[${text}]`);
  }
  anchor.replaceWith(replacement ?? anchor.ownerDocument.createTextNode(text));
};

const renderer = (root: Element, options: MarkdownOptions): Renderer<RenderState> => ({
  data: { nodes: [root], index: 0, refused: new WeakSet(), openUnderscores: new Set(), options },
  add_token(state, type) {
    if (type === DOCUMENT) return;
    const { parent, node } = create(state.nodes[state.index]!, type);
    state.nodes[++state.index] = parent.appendChild(node);
    if (type === ITALIC_UND || type === STRONG_UND) state.openUnderscores.add(node);
  },
  end_token(state) {
    const node = state.nodes[state.index];
    state.index = Math.max(0, state.index - 1);
    if (node) state.openUnderscores.delete(node);
    if (node && node !== state.nodes[0] && node.tagName === 'A') finishAnchor(node, state);
  },
  // Text is only ever a text node: markup from the model shows as markup.
  add_text(state, text) {
    state.nodes[state.index]!.appendChild(root.ownerDocument.createTextNode(restoreUnderscores(text)));
  },
  set_attr(state, type: Attr, raw) {
    const value = restoreUnderscores(raw);
    const node = state.nodes[state.index]!;
    if (type === HREF || type === SRC) {
      const href = safeHref(value);
      if (href === undefined) return void state.refused.add(node);
      node.setAttribute('href', href);
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    } else if (type === START) node.setAttribute('start', String(Number.parseInt(value, 10) || 1));
    else if (type === CHECKED) (node as HTMLInputElement).checked = true;
    // LANG (a code block's language) is not used.
  },
});

/**
 * A streamed answer rendered as Markdown, incrementally: each update parses only the text
 * added since the last one, and the parser appends DOM nodes (never HTML strings).
 */
export class MarkdownView {
  readonly element: HTMLElement;
  #parser: Parser;
  #state: RenderState;
  #written = 0;
  #ended = false;
  #options: MarkdownOptions;

  constructor(options: MarkdownOptions = {}, doc: Document = document) {
    this.#options = options;
    this.element = doc.createElement('div');
    const render = renderer(this.element, options);
    this.#state = render.data;
    this.#parser = parser(render);
  }

  /** Shows `text`, which grows by appending while it streams; `final` once it is complete. */
  update(text: string, final: boolean): void {
    if (text.length < this.#written || (this.#ended && text.length !== this.#written)) this.#restart();
    // Hold back a trailing `foo_` until the next character says whether it is inside a word.
    const ready = final ? text.length : text.length - (TRAILING_UNDERSCORES.exec(text)?.[0].length ?? 0);
    if (ready > this.#written) this.#write(hideIntrawordUnderscores(text.slice(0, ready)), this.#written);
    this.#written = Math.max(this.#written, ready);
    if (final && !this.#ended) {
      parser_end(this.#parser);
      this.#ended = true;
    }
  }

  /** Writes `text` from `from` on, deciding each closing-only `_` run by what is open when the parser reaches it. */
  #write(text: string, from: number): void {
    let at = from;
    CLOSING_ONLY_UNDERSCORES.lastIndex = from;
    for (let run = CLOSING_ONLY_UNDERSCORES.exec(text); run; run = CLOSING_ONLY_UNDERSCORES.exec(text)) {
      parser_write(this.#parser, text.slice(at, run.index));
      parser_write(this.#parser, this.#state.openUnderscores.size > 0 ? run[0] : UNDERSCORE_STAND_IN.repeat(run[0].length));
      at = run.index + run[0].length;
    }
    parser_write(this.#parser, text.slice(at));
  }

  #restart(): void {
    this.element.replaceChildren();
    const render = renderer(this.element, this.#options);
    this.#state = render.data;
    this.#parser = parser(render);
    this.#written = 0;
    this.#ended = false;
  }
}
