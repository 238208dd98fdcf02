import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';
import type { TranslationMessages } from 'react-admin';

/** react-admin's English, in UK spelling and the product's words where they differ. */
const ukEnglish: TranslationMessages = {
  ...englishMessages,
  ra: {
    ...englishMessages.ra,
    auth: {
      ...englishMessages.ra.auth,
      auth_check_error: 'Please sign in to continue',
      user_menu: 'Your account',
      username: 'Email address',
      email: 'Email address',
      logout: 'Sign out',
    },
    notification: {
      ...englishMessages.ra.notification,
      logged_out: 'Your session has ended. Please sign in again.',
      not_authorized: 'You are not allowed to see this page.',
      http_error: 'The server could not be reached. Check your connection and try again.',
      offline: 'You appear to be offline: the data could not be loaded.',
    },
  },
};

export const i18nProvider = polyglotI18nProvider(
  () => ukEnglish,
  'en-GB',
  [{ locale: 'en-GB', name: 'English (UK)' }],
  {
    allowMissing: true,
  },
);
