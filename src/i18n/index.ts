/** One i18next instance per language, created on demand; the CLI and the UI share the messages. */
import i18next, { type TFunction } from 'i18next';
import { ar, en, fr, type Lang } from './locales.ts';

const instances = new Map<Lang, TFunction>();

export function translator(lang: Lang): TFunction {
  let t = instances.get(lang);
  if (!t) {
    const i = i18next.createInstance();
    void i.init({
      lng: lang,
      fallbackLng: 'fr',
      initAsync: false,
      resources: { fr: { translation: fr }, ar: { translation: ar }, en: { translation: en } },
      interpolation: { escapeValue: false },
      // Nothing but the contract's document may reach stdout.
      showSupportNotice: false,
      returnObjects: false,
    });
    t = i.t.bind(i) as TFunction;
    instances.set(lang, t);
  }
  return t;
}

export { LANGS, type Lang } from './locales.ts';
