// The forms of the customer pages: a customer's details and consents (registering a
// card, editing a customer) and the API's field errors shown beside their fields.
import { ApiError } from './api.js';
import { field, h } from './dom.js';

// `label` also names the field in its error messages.
export function labelled(label, control) {
  control.dataset.label = label;
  return field(label, control);
}

// Shows the API's error beside the field it names in `form`, or at the form's end.
export function showError(form, error) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const old of form.querySelectorAll('[aria-invalid]')) old.removeAttribute('aria-invalid');
  const message = h('p', { class: 'error field-error', role: 'alert' }, error.message);
  const control = error.field ? form.querySelector(`[name="${error.field}"]`) : null;
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    message.textContent = `${control.dataset.label || error.field} ${error.message}`;
    control.closest('label').after(message);
  } else {
    form.append(message);
  }
}

// Submits `form` through `send()`: a failure shows on the form, a success calls
// `done(answer)`. The API validates; the browser's own checks would hide its messages.
export function onSubmit(form, send, done) {
  form.noValidate = true;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      done(await send());
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw error;
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// The inputs of CustomerDetails, filled from `details` (null for a new customer).
export function detailsFields(details) {
  const text = (name, label, attributes) => labelled(label, h('input', {
    name, type: 'text', value: details?.[name] ?? '', ...attributes }));
  const tick = (name, label) => h('label', { class: 'tick' }, h('input', {
    type: 'checkbox', name, id: `edit-${name}`, checked: Boolean(details?.[name]),
    'data-label': label }), label);
  return [
    text('name', 'Name', { required: true, maxlength: 200 }),
    text('email', 'E-mail', { type: 'email', maxlength: 254 }),
    text('phone', 'Phone', { type: 'tel', maxlength: 32 }),
    text('birthday', 'Birthday', { type: 'date' }),
    tick('consent_email', 'Offers by e-mail'),
    tick('consent_sms', 'Offers by SMS'),
  ];
}

// The CustomerDetails a form of detailsFields() holds; empty fields are left out.
export function detailsBody(form) {
  const value = (name) => form.elements[name].value.trim() || undefined;
  return {
    name: form.elements.name.value.trim(),
    email: value('email'),
    phone: value('phone'),
    birthday: value('birthday'),
    consent_email: form.elements.consent_email.checked,
    consent_sms: form.elements.consent_sms.checked,
  };
}
