import { useSyncExternalStore } from 'react'

/** Who is signed in: the bearer token and the claims the pages need to choose what to show. */
export interface Session {
  readonly token: string
  readonly role: 'agency' | 'regulator' | 'firm' | 'admin'
  readonly sub: string
  readonly agency?: string
  readonly uscc?: string
}

// sessionStorage (this tab, until it closes), never localStorage and never a URL (contract §11).
const KEY = 'ecrs.console.session'
let current: Session | undefined = read()
let notice: string | undefined
const listeners = new Set<() => void>()

function read(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY)
    return raw === null ? undefined : (JSON.parse(raw) as Session)
  } catch {
    return undefined
  }
}

const emit = () => listeners.forEach((l) => l())

export const signIn = (session: Session): void => {
  current = session
  notice = undefined
  sessionStorage.setItem(KEY, JSON.stringify(session))
  emit()
}

/** Signs out; `reason` is shown on the sign-in page (an expired or refused token). */
export const signOut = (reason?: string): void => {
  current = undefined
  notice = reason
  sessionStorage.removeItem(KEY)
  emit()
}

export const getSession = (): Session | undefined => current
export const signOutReason = (): string | undefined => notice

const subscribe = (l: () => void) => {
  listeners.add(l)
  return () => listeners.delete(l)
}

export const useSession = (): Session | undefined => useSyncExternalStore(subscribe, getSession)

/** The claims of a pasted token (read, not verified: the services verify it on every call). */
export const sessionFromToken = (token: string): Session | undefined => {
  try {
    const payload = token.split('.')[1] ?? ''
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'))
    const c = JSON.parse(json) as Partial<Session> & { sub?: string }
    if (c.role !== 'agency' && c.role !== 'regulator' && c.role !== 'firm' && c.role !== 'admin')
      return undefined
    return {
      token,
      role: c.role,
      sub: c.sub ?? '',
      ...(c.agency === undefined ? {} : { agency: c.agency }),
      ...(c.uscc === undefined ? {} : { uscc: c.uscc }),
    }
  } catch {
    return undefined
  }
}
