import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { messageFor } from '../api/problem';
import { formatDateTime } from '../format/date';
import { addComment } from './finance-api';
import { Nothing } from './FinanceStates';
import type { CrossChargeDetail } from './words';

/** The charge's comment thread, oldest first: every review step writes to it, and both finance teams talk in it. */
export function CommentThread({
  charge,
  mayComment,
  onAdded,
}: {
  charge: CrossChargeDetail;
  mayComment: boolean;
  onAdded: () => void;
}) {
  const [body, setBody] = useState('');
  const mutation = useMutation({
    mutationFn: (text: string) => addComment(charge.id, text),
    onSuccess: () => {
      setBody('');
      onAdded();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (body.trim()) mutation.mutate(body.trim());
  };

  return (
    <Card>
      <CardContent>
        <Typography component="h2" variant="h6">
          Comments
        </Typography>
        {charge.comments.length === 0 ? (
          <Nothing>No comments yet.</Nothing>
        ) : (
          <List dense>
            {charge.comments.map((comment) => (
              <ListItem key={comment.id} divider disableGutters>
                <ListItemText
                  primary={comment.body}
                  secondary={`${comment.authorLabel}, ${formatDateTime(comment.createdAt)}`}
                />
              </ListItem>
            ))}
          </List>
        )}
        {mayComment && (
          <Box component="form" onSubmit={submit} sx={{ mt: 2 }}>
            <TextField
              label="Add a comment"
              value={body}
              onChange={(event) => setBody(event.target.value)}
              multiline
              minRows={2}
              fullWidth
              slotProps={{ htmlInput: { maxLength: 4000 } }}
            />
            {mutation.error && (
              <Alert severity="error" role="alert" sx={{ mt: 1 }}>
                {messageFor(mutation.error)}
              </Alert>
            )}
            <Button
              type="submit"
              variant="outlined"
              sx={{ mt: 1 }}
              disabled={mutation.isPending || !body.trim()}
            >
              Post comment
            </Button>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
