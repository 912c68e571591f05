import { createContext, useCallback, useContext } from 'react';

/**
 * Chinese by default, English on request (kept in localStorage). Each page keeps its own
 * dictionary in `pages/<page>/messages.ts`: `defineMessages({ zh: {...}, en: {...} })`, where the
 * English dictionary must have exactly the Chinese keys. `{name}` in a message is replaced by a
 * parameter.
 */
export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];
const LANG_KEY = 'openwx.lang';

export type Dict = Record<string, string>;
export interface Messages<D extends Dict> {
  zh: D;
  en: { [K in keyof D]: string };
}

export function defineMessages<D extends Dict>(m: Messages<D>): Messages<D> {
  return m;
}

export function storedLang(): Lang {
  const v = localStorage.getItem(LANG_KEY);
  return v === 'en' || v === 'zh' ? v : 'zh';
}

export function storeLang(lang: Lang): void {
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({
  lang: 'zh',
  setLang: () => {},
});

export type Params = Record<string, string | number>;

export function format(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) =>
    params[k] === undefined ? m : String(params[k]),
  );
}

/** `const t = useT(messages)`, then `t('key', { n: 3 })`. */
export function useT<D extends Dict>(messages: Messages<D>) {
  const { lang } = useContext(LangContext);
  return useCallback(
    (key: keyof D & string, params?: Params) => format(messages[lang][key] ?? key, params),
    [lang, messages],
  );
}

export function useLang() {
  return useContext(LangContext);
}
