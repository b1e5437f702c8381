// The run of days a report page shows (today, 7 or 30 days) and the switch between them;
// the server counts days from the viewer's midnight, so pages send the UTC offset.
import { h } from './dom.js';

export const periods = [
  { days: 1, label: 'Today' },
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
];

export const periodLabel = (days) => periods.find((p) => p.days === days).label;

// Minutes east of UTC, as the API's utc_offset_minutes wants them.
export const utcOffsetMinutes = () => String(-new Date().getTimezoneOffset());

// The segmented buttons; `pick(days)` runs when one is pressed.
export function periodSwitch(current, pick) {
  return h('div', { class: 'segmented', role: 'group', 'aria-label': 'Period' },
    periods.map((period) => h('button', {
      type: 'button',
      class: period.days === current ? 'period active' : 'period',
      'aria-pressed': period.days === current ? 'true' : 'false',
      'data-days': period.days,
      onclick: () => pick(period.days),
    }, period.label)));
}
