import { Card, CardContent, Typography } from '@mui/material';
import { useParams } from 'react-router-dom';
import { Title } from 'react-admin';
import { COMING_SOON } from './sections';

/** The placeholder page behind each menu entry that a later issue fills in. */
export function ComingSoon() {
  const { slug } = useParams();
  const section = COMING_SOON.find((s) => s.slug === slug);
  const label = section?.label ?? 'This page';
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={label} />
      <CardContent>
        <Typography component="h1" variant="h5" gutterBottom>
          {label}
        </Typography>
        {section && <Typography paragraph>{section.summary}</Typography>}
        <Typography color="text.secondary">This part of the service is not available yet.</Typography>
      </CardContent>
    </Card>
  );
}
