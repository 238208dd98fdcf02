import { Alert, Box, Button, CardContent, CircularProgress, Typography } from '@mui/material';
import { useState } from 'react';
import { Form, Login, PasswordInput, TextInput, email, required, useLogin } from 'react-admin';
import { messageFor } from '../api/problem';
import type { Credentials } from '../authProvider';

/** Sign in with email and password; a refusal is explained in place, where a screen reader announces it. */
export function SignInForm() {
  const login = useLogin();
  const [error, setError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  const submit = async (values: Partial<Credentials>) => {
    setError(null);
    setSigningIn(true);
    try {
      await login(values);
    } catch (cause) {
      setError(messageFor(cause));
      setSigningIn(false);
    }
  };

  return (
    <Form onSubmit={submit} noValidate>
      <CardContent sx={{ width: { xs: 280, sm: 340 } }}>
        <Typography component="h1" variant="h5" gutterBottom>
          Sign in
        </Typography>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          Consortium shared services
        </Typography>
        {error && (
          <Alert severity="error" role="alert" sx={{ my: 1 }} data-testid="sign-in-error">
            {error}
          </Alert>
        )}
        <TextInput
          source="email"
          label="Email address"
          type="email"
          autoComplete="username"
          autoFocus
          validate={[required('Enter your email address'), email('Enter a valid email address')]}
          fullWidth
        />
        <PasswordInput
          source="password"
          label="Password"
          autoComplete="current-password"
          validate={required('Enter your password')}
          fullWidth
        />
        <Box mt={2}>
          <Button variant="contained" type="submit" disabled={signingIn} fullWidth>
            {signingIn ? <CircularProgress size={20} thickness={3} aria-label="Signing in" /> : 'Sign in'}
          </Button>
        </Box>
      </CardContent>
    </Form>
  );
}

export function SignInPage() {
  return (
    <Login>
      <SignInForm />
    </Login>
  );
}
