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
    path: 'customers',
    title: 'Customers',
    load: () => import('./page-customers.js'),
  },
];

export const defaultRoute = routes[0];

// `path` may go on below a page ('customers/42'): the page reads the rest itself.
export function routeFor(path, user) {
  const page = path.split('/')[0];
  return routes.find((route) => route.path === page && mayOpen(route, user));
}

export function mayOpen(route, user) {
  return !route.roles || route.roles.includes(user.role);
}
