/**
 * The frame: a "Skip to main content" link, navigation for every page of the product, and the routes. Below 900 px
 * the navigation folds into a bar with a Menu button (styles.css); above it nothing about the sidebar changes.
 */
import { useEffect, useRef, useState } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { AutomationsPage } from './pages/Automations';
import { CampaignsPage } from './pages/Campaigns';
import { ConnectionsPage } from './pages/Connections';
import { CustomerPage } from './pages/Customer';
import { CustomersPage } from './pages/Customers';
import { DashboardPage } from './pages/Dashboard';
import { ImportPage } from './pages/Import';
import { JourneysPage } from './pages/Journeys';
import { MergeReviewPage } from './pages/MergeReview';
import { MessagesPage } from './pages/Messages';
import { ModelsPage } from './pages/Models';
import { NotFoundPage } from './pages/NotFound';
import { SettingsPage } from './pages/Settings';
import { TemplatesPage } from './pages/Templates';
import { PendingCountProvider, usePendingCount } from './pending';

export const PAGES = [
  { path: '/', label: 'Dashboard', element: <DashboardPage /> },
  { path: '/customers', label: 'Customers', element: <CustomersPage /> },
  { path: '/messages', label: 'Messages', element: <MessagesPage /> },
  { path: '/merge-review', label: 'Merge review', element: <MergeReviewPage /> },
  { path: '/import', label: 'Import', element: <ImportPage /> },
  { path: '/models', label: 'Models', element: <ModelsPage /> },
  { path: '/automations', label: 'Automations', element: <AutomationsPage /> },
  { path: '/campaigns', label: 'Campaigns', element: <CampaignsPage /> },
  { path: '/journeys', label: 'Journeys', element: <JourneysPage /> },
  { path: '/settings', label: 'Settings', element: <SettingsPage /> },
] as const;

const BADGE_ID = 'merge-review-waiting';

/**
 * The badge sits next to the link, not inside it, so the link's name stays
 * exactly "Merge review"; the link points to it as its description.
 */
function PendingBadge() {
  const { count } = usePendingCount();
  if (count <= 0) return null;
  return (
    <span id={BADGE_ID} className="nav-badge" role="status" aria-label={`${count} waiting`}>
      {count > 99 ? '99+' : count}
    </span>
  );
}

const MENU_ID = 'main-menu';
const MAIN_ID = 'main';
/** Where the sidebar stops folding (styles.css folds it below 900 px). */
const WIDE = '(min-width: 900px)';

function Navigation() {
  const { count } = usePendingCount();
  // Only seen below 900 px, where the links fold away behind the Menu button.
  const [open, setOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      menuButton.current?.focus();
    };
    // Widened past 900 px the links are the sidebar again: the menu is closed for the next time it folds.
    const wide = window.matchMedia(WIDE);
    const onWiden = () => {
      if (wide.matches) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    wide.addEventListener('change', onWiden);
    return () => {
      document.removeEventListener('keydown', onKey);
      wide.removeEventListener('change', onWiden);
    };
  }, [open]);
  return (
    <nav className={open ? 'sidebar open' : 'sidebar'} aria-label="Main">
      <div className="sidebar-top">
        <div className="brand">ConstIntel</div>
        <button
          ref={menuButton}
          type="button"
          className="menu-button"
          aria-expanded={open}
          aria-controls={MENU_ID}
          onClick={() => setOpen((was) => !was)}
        >
          <span className="menu-icon" aria-hidden="true" />
          Menu
        </button>
      </div>
      <ul id={MENU_ID}>
        {PAGES.map((page) => (
          <li key={page.path}>
            <NavLink
              to={page.path}
              end={page.path === '/'}
              aria-describedby={page.path === '/merge-review' && count > 0 ? BADGE_ID : undefined}
              onClick={() => setOpen(false)}
            >
              {page.label}
            </NavLink>
            {page.path === '/merge-review' ? <PendingBadge /> : null}
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The first Tab stop: focus goes to the page itself, past the menu (the address stays as it is). */
function SkipLink() {
  return (
    <a
      className="skip-link"
      href={`#${MAIN_ID}`}
      onClick={(e) => {
        e.preventDefault();
        document.getElementById(MAIN_ID)?.focus();
      }}
    >
      Skip to main content
    </a>
  );
}

export function App() {
  return (
    <PendingCountProvider>
      <SkipLink />
      <div className="shell">
        <Navigation />
        <main id={MAIN_ID} className="content" tabIndex={-1}>
          <Routes>
            {PAGES.map((page) => (
              <Route key={page.path} path={page.path} element={page.element} />
            ))}
            <Route path="/customers/:id" element={<CustomerPage />} />
            {/* Under Settings: its nav link stays highlighted here (NavLink matches the path's start). */}
            <Route path="/settings/connections" element={<ConnectionsPage />} />
            <Route path="/settings/templates" element={<TemplatesPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </main>
      </div>
    </PendingCountProvider>
  );
}
