import { defaultTheme, type RaThemeOptions } from 'react-admin';

/** react-admin's default theme with a darker, public-sector blue that keeps text contrast above WCAG AA. */
export const theme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    ...defaultTheme.palette,
    primary: { main: '#1d4f91' },
    secondary: { main: '#1d4f91' },
  },
};
