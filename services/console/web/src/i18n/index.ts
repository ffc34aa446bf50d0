import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import { en } from './en.js'
import { zhCN } from './zh-CN.js'

// Only the language is remembered across visits (never a token).
const KEY = 'ecrs.console.lang'
export const languages = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
] as const

const saved = localStorage.getItem(KEY)
const initial = languages.some((l) => l.code === saved) ? (saved as string) : 'zh-CN'

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: initial,
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
})
document.documentElement.lang = initial

i18n.on('languageChanged', (lng) => {
  localStorage.setItem(KEY, lng)
  document.documentElement.lang = lng
})

export default i18n
