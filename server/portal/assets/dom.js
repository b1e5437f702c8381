// Builds elements from data without innerHTML, so nothing a customer or a user typed can
// turn into markup.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// A form control with its label in view, as every page's filters and forms show them.
export function field(label, control) {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

// The arrow a sorted column's header shows, the same on every page: ▲ ascending,
// ▼ descending, nothing for a column not sorted by. Screen readers have aria-sort.
export function sortArrow(direction) {
  if (direction !== 'ascending' && direction !== 'descending') return null;
  return h('span', { class: 'sort-arrow', 'aria-hidden': 'true' },
    direction === 'ascending' ? '▲' : '▼');
}

const latestRender = new WeakMap();

// Marks the start of a render of `container` and returns a check that it is still the
// latest one on screen: a slow answer to an earlier sort, filter or page must not replace
// a newer one, nor show up on a page the user has left.
export function startRender(container) {
  const ticket = (latestRender.get(container) || 0) + 1;
  latestRender.set(container, ticket);
  return () => latestRender.get(container) === ticket && container.isConnected;
}
