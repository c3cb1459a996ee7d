/** The frame: navigation for every page of the product, and the routes. */
import { NavLink, Route, Routes } from 'react-router';
import { AutomationsPage } from './pages/Automations';
import { CustomersPage } from './pages/Customers';
import { DashboardPage } from './pages/Dashboard';
import { ImportPage } from './pages/Import';
import { JourneysPage } from './pages/Journeys';
import { MergeReviewPage } from './pages/MergeReview';
import { ModelsPage } from './pages/Models';
import { NotFoundPage } from './pages/NotFound';
import { SettingsPage } from './pages/Settings';

export const PAGES = [
  { path: '/', label: 'Dashboard', element: <DashboardPage /> },
  { path: '/customers', label: 'Customers', element: <CustomersPage /> },
  { path: '/merge-review', label: 'Merge review', element: <MergeReviewPage /> },
  { path: '/import', label: 'Import', element: <ImportPage /> },
  { path: '/models', label: 'Models', element: <ModelsPage /> },
  { path: '/automations', label: 'Automations', element: <AutomationsPage /> },
  { path: '/journeys', label: 'Journeys', element: <JourneysPage /> },
  { path: '/settings', label: 'Settings', element: <SettingsPage /> },
] as const;

export function App() {
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">ConstIntel</div>
        <ul>
          {PAGES.map((page) => (
            <li key={page.path}>
              <NavLink to={page.path} end={page.path === '/'}>
                {page.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        <Routes>
          {PAGES.map((page) => (
            <Route key={page.path} path={page.path} element={page.element} />
          ))}
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
    </div>
  );
}
