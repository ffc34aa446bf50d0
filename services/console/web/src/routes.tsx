import { createBrowserRouter, Navigate, Outlet } from 'react-router'
import { Layout } from './components/layout.js'
import { Batch, Inspections, Publish, Subscriptions } from './pages/agency.js'
import { Dashboard } from './pages/dashboard.js'
import { EventStatus } from './pages/events.js'
import { FirmHome, FirmRecall, FirmRepair } from './pages/firm.js'
import {
  Lookup,
  PublicEnterprise,
  PublicInspection,
  PublicInspections,
  PublicRecalls,
} from './pages/public.js'
import { FullProfile, RecallPage, Recalls, Search } from './pages/regulator.js'
import { SignIn } from './pages/sign-in.js'
import { useSession, type Session } from './session/session.js'

/** Pages of a role: without a session (or after a 401) the user is sent to sign in. */
const Only = ({ roles }: { roles: readonly Session['role'][] }) => {
  const session = useSession()
  if (session === undefined) return <Navigate to="/sign-in" replace />
  return roles.includes(session.role) ? <Outlet /> : <Navigate to="/" replace />
}

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <Lookup /> },
      { path: '/sign-in', element: <SignIn /> },
      { path: '/enterprises/:uscc', element: <PublicEnterprise /> },
      { path: '/recalls', element: <PublicRecalls /> },
      { path: '/inspections', element: <PublicInspections /> },
      { path: '/inspections/:taskId', element: <PublicInspection /> },
      {
        element: <Only roles={['firm']} />,
        children: [
          { path: '/firm', element: <FirmHome /> },
          { path: '/firm/recalls/:recallId', element: <FirmRecall /> },
          { path: '/firm/repair', element: <FirmRepair /> },
        ],
      },
      {
        element: <Only roles={['agency']} />,
        children: [
          { path: '/agency/publish', element: <Publish /> },
          { path: '/agency/batch', element: <Batch /> },
          { path: '/agency/inspections', element: <Inspections /> },
        ],
      },
      {
        element: <Only roles={['agency', 'regulator']} />,
        children: [
          { path: '/agency/subscriptions', element: <Subscriptions /> },
          { path: '/regulator/search', element: <Search /> },
          { path: '/regulator/enterprises/:uscc', element: <FullProfile /> },
          { path: '/regulator/recalls', element: <Recalls /> },
          { path: '/regulator/recalls/:recallId', element: <RecallPage /> },
          { path: '/regulator/dashboard', element: <Dashboard /> },
        ],
      },
      {
        element: <Only roles={['agency', 'regulator', 'admin', 'firm']} />,
        children: [
          { path: '/events', element: <EventStatus /> },
          { path: '/events/:source/:id', element: <EventStatus /> },
        ],
      },
    ],
  },
])
