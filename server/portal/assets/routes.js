// The portal's pages: the navigation lists exactly these, in this order. A page is a
// module whose default export `render(container, context)` fills the main area;
// `roles` (optional) limits who sees it. Add a page here and nowhere else.
export const routes = [
  {
    path: 'dashboard',
    title: 'Dashboard',
    load: () => import('./page-dashboard.js'),
  },
  {
    path: 'performance',
    title: 'Performance',
    load: () => import('./page-performance.js'),
  },
];

export const defaultRoute = routes[0];

export function routeFor(path, user) {
  return routes.find((route) => route.path === path && mayOpen(route, user));
}

export function mayOpen(route, user) {
  return !route.roles || route.roles.includes(user.role);
}
