import { defaultTheme, type RaThemeOptions } from 'react-admin';

/** A focus ring that shows on the blue app bar and on white alike (GOV.UK's yellow with a dark edge). */
const FOCUS_RING = {
  outline: '3px solid #ffdd00',
  outlineOffset: '2px',
  boxShadow: '0 0 0 5px #0b0c0c',
};

/**
 * react-admin's default theme with a darker, public-sector blue that keeps text contrast above WCAG AA, and a
 * focus ring on everything that takes the keyboard, so a keyboard user always sees where they are.
 */
export const theme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    ...defaultTheme.palette,
    primary: { main: '#1d4f91' },
    secondary: { main: '#1d4f91' },
  },
  components: {
    ...defaultTheme.components,
    MuiButtonBase: {
      styleOverrides: { root: { '&.Mui-focusVisible': FOCUS_RING } },
    },
    // react-admin's skip link is white on near-white by default: make it readable when it appears.
    RaSkipNavigationButton: {
      styleOverrides: {
        root: {
          backgroundColor: '#1d4f91',
          color: '#ffffff',
          '&:hover': { backgroundColor: '#1d4f91', opacity: 1 },
        },
      },
    },
    MuiLink: {
      styleOverrides: { root: { '&:focus-visible': FOCUS_RING } },
    },
  },
};
