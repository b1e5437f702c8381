// The portal's pages: the navigation lists exactly these, in this order. A page is a
// module whose default export `render(container, context)` fills the main area;
// `roles` (optional) limits who sees it. Add a page here and nowhere else. A page's own
// sub-paths reach it too: #/customers/42 opens `customers` with context.rest = ['42'].
export const routes = [
  {
    path: 'dashboard',
    title: 'Dashboard',
    load: () => import('./page-dashboard.js'),
  },
  {
    path: 'customers',
    title: 'Customers',
    load: () => import('./page-customers.js'),
  },
  {
    path: 'campaigns',
    title: 'Campaigns',
    load: () => import('./page-campaigns.js'),
  },
  {
    path: 'acquisition',
    title: 'Acquisition',
    load: () => import('./page-acquisition.js'),
  },
  {
    path: 'stores',
    title: 'Stores',
    load: () => import('./page-stores.js'),
  },
  {
    path: 'performance',
    title: 'Performance',
    load: () => import('./page-performance.js'),
  },
  {
    path: 'audit',
    title: 'Audit',
    roles: ['admin'],
    load: () => import('./page-audit.js'),
  },
];

export const defaultRoute = routes[0];

export function routeFor(path, user) {
  const [first] = path.split('/');
  return routes.find((route) => route.path === first && mayOpen(route, user));
}

// The segments after the page's own, decoded: '#/customers/42/edit' gives ['42', 'edit'].
export function restOf(path) {
  return path.split('/').slice(1).filter(Boolean).map(decodeURIComponent);
}

export function mayOpen(route, user) {
  return !route.roles || route.roles.includes(user.role);
}
