import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createHashRouter, RouterProvider } from 'react-router-dom';
import { App } from './App';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// A hash router, so the API serves index.html at / and needs no server-side routes for the screens.
// It is ours rather than react-admin's so that navigations are not React transitions: signing out navigates to
// /login while react-admin resets its store and query cache, and those urgent updates kept interrupting the
// transition, leaving react-admin on the old screen where it signed out again, in a loop lasting seconds.
const router = createHashRouter([{ path: '*', element: <App /> }]);

createRoot(root).render(
  <StrictMode>
    <RouterProvider router={router} useTransitions={false} />
  </StrictMode>,
);
