import { Alert, Box, Card, CardContent, Chip, List, ListItem, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { Loading, Title } from 'react-admin';
import { consortiumName, organisationName } from '../api/directory';
import { ApiProblem, messageFor } from '../api/problem';
import { fetchMe } from '../authProvider';
import { roleLabels } from '../roles';

/** What the home screen needs to say who is signed in, with names rather than ids. */
async function loadWhoAmI(signal: AbortSignal) {
  const me = await fetchMe();
  const [organisation, consortia] = await Promise.all([
    organisationName(me.organisationId, signal),
    Promise.all(
      me.activeConsortia.map(async (id) => ({
        id,
        name: await consortiumName(id, signal),
        administered: me.consortiumAdminOf.includes(id),
      })),
    ),
  ]);
  return { me, organisation, consortia };
}

export function Dashboard() {
  const { data, error, isPending } = useQuery({
    queryKey: ['who-am-i'],
    queryFn: ({ signal }) => loadWhoAmI(signal),
    // The API said no (403, 404…): asking again will not change its mind, so say so at once.
    retry: (failures, error) => !(error instanceof ApiProblem && error.status < 500) && failures < 2,
  });

  return (
    <Box sx={{ mt: 2 }}>
      <Title title="Dashboard" />
      {isPending ? (
        <Loading loadingPrimary="Loading your dashboard" loadingSecondary="" />
      ) : error ? (
        <Alert severity="error" role="alert">
          {messageFor(error)}
        </Alert>
      ) : (
        <Stack spacing={2}>
          <Card>
            <CardContent>
              <Typography component="h1" variant="h5" gutterBottom>
                {data.organisation}
              </Typography>
              <Typography variant="body1" data-testid="signed-in-as">
                Signed in as <strong>{data.me.label}</strong>
              </Typography>
              <Typography component="h2" variant="subtitle1" sx={{ mt: 2 }}>
                Your roles
              </Typography>
              <Stack direction="row" spacing={1} useFlexGap flexWrap="wrap" component="ul" sx={{ p: 0 }}>
                {roleLabels(data.me).map((label) => (
                  <Chip key={label} label={label} component="li" />
                ))}
              </Stack>
              <Typography component="h2" variant="subtitle1" sx={{ mt: 2 }}>
                Your consortia
              </Typography>
              {data.consortia.length === 0 ? (
                <Typography variant="body2" color="text.secondary">
                  {data.organisation} is not an active member of any consortium yet.
                </Typography>
              ) : (
                <List dense disablePadding>
                  {data.consortia.map((consortium) => (
                    <ListItem key={consortium.id} disableGutters>
                      {consortium.name}
                      {consortium.administered ? ' (you administer it)' : ''}
                    </ListItem>
                  ))}
                </List>
              )}
            </CardContent>
          </Card>
          <Card>
            <CardContent>
              <Typography component="h2" variant="h6" gutterBottom>
                Coming soon
              </Typography>
              <Typography variant="body2">
                The service catalogue, subscriptions, cross-charges and settlement will appear in the menu as
                they become available.
              </Typography>
            </CardContent>
          </Card>
        </Stack>
      )}
    </Box>
  );
}
