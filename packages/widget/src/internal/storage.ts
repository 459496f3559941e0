/** What survives a reload: the visitor (so their conversations stay theirs) and the open conversation. */
export interface StoredChat {
  visitorToken?: string | undefined;
  conversationId?: string | undefined;
}

export interface ChatStorage {
  load(): StoredChat;
  save(patch: StoredChat): void;
}

/** The localStorage key: one per public key, and per `storage-key` when a page has several instances. */
export const storageKeyFor = (publicKey: string, instance?: string | null): string => `atrium-chat:${publicKey}${instance ? `:${instance}` : ''}`;

const asString = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** Reads what another script on the page may have written there, so it is checked, not trusted. */
const parse = (raw: string | null): StoredChat => {
  try {
    const value: unknown = raw ? JSON.parse(raw) : null;
    if (!value || typeof value !== 'object') return {};
    const { visitorToken, conversationId } = value as Record<string, unknown>;
    return { visitorToken: asString(visitorToken), conversationId: asString(conversationId) };
  } catch {
    return {};
  }
};

/** localStorage, when the page may use it (sandboxed frames and some private modes throw). */
export const localChatStorage = (key: string): ChatStorage => {
  const store = (): Storage | undefined => {
    try {
      return globalThis.localStorage;
    } catch {
      return undefined;
    }
  };
  const load = (): StoredChat => parse(store()?.getItem(key) ?? null);
  return {
    load,
    save(patch) {
      const next = { ...load(), ...patch };
      try {
        if (next.visitorToken || next.conversationId) store()?.setItem(key, JSON.stringify(next));
        else store()?.removeItem(key);
      } catch {
        // Full or forbidden: the chat still works, it just will not survive a reload.
      }
    },
  };
};

/** For `no-persist`: the same interface, forgotten with the page. */
export const memoryChatStorage = (): ChatStorage => {
  let state: StoredChat = {};
  return {
    load: () => ({ ...state }),
    save: (patch) => void (state = { ...state, ...patch }),
  };
};
