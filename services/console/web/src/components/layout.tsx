import { useTranslation } from 'react-i18next'
import { NavLink, Outlet, useNavigate } from 'react-router'
import { languages } from '../i18n/index.js'
import { signOut, useSession, type Session } from '../session/session.js'

const linksFor = (session: Session | undefined): [string, string][] => {
  const open: [string, string][] = [
    ['nav.lookup', '/'],
    ['nav.recalls', '/recalls'],
    ['nav.inspections', '/inspections'],
  ]
  const supervise: [string, string][] = [
    ['nav.search', '/regulator/search'],
    ['nav.allRecalls', '/regulator/recalls'],
    ['nav.dashboard', '/regulator/dashboard'],
    ['nav.events', '/events'],
  ]
  switch (session?.role) {
    case undefined:
      return open
    case 'firm':
      return [['nav.firm', '/firm'], ['nav.firmRepair', '/firm/repair'], ...open]
    case 'agency':
      return [
        ['nav.publish', '/agency/publish'],
        ['nav.batch', '/agency/batch'],
        ['nav.tasks', '/agency/inspections'],
        ['nav.subscriptions', '/agency/subscriptions'],
        ...supervise,
        ...open,
      ]
    case 'regulator':
      return [...supervise, ['nav.subscriptions', '/agency/subscriptions'], ...open]
    case 'admin':
      return [['nav.events', '/events'], ...open]
  }
}

/** Header (title, navigation for the signed-in role, language, sign-in state) and the page. */
export const Layout = () => {
  const { t, i18n } = useTranslation()
  const session = useSession()
  const navigate = useNavigate()
  const who =
    session === undefined
      ? ''
      : `${t(`roles.${session.role}`)}${session.agency === undefined ? '' : ` ${session.agency}`}${session.uscc === undefined ? '' : ` ${session.uscc}`}`
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header>
        <p className="brand">{t('app.title')}</p>
        <div className="tools">
          <label htmlFor="lang">{t('app.language')}</label>
          <select id="lang" value={i18n.language} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
            {languages.map((l) => (
              <option key={l.code} value={l.code} lang={l.code}>
                {l.label}
              </option>
            ))}
          </select>
          {session === undefined ? (
            <NavLink to="/sign-in">{t('app.signIn')}</NavLink>
          ) : (
            <>
              <span>{t('app.signedInAs', { who })}</span>
              <button
                type="button"
                onClick={() => {
                  signOut()
                  void navigate('/')
                }}
              >
                {t('app.signOut')}
              </button>
            </>
          )}
        </div>
        <nav aria-label={t('app.mainNav')}>
          <ul>
            {linksFor(session).map(([key, to]) => (
              <li key={to}>
                <NavLink to={to} end={to === '/'}>
                  {t(key)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  )
}
