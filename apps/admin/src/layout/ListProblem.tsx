import { Alert, Box, Button } from '@mui/material';
import {
  List,
  type ListProps,
  Pagination,
  type PaginationProps,
  type RaRecord,
  useListContext,
} from 'react-admin';
import { messageFor } from '../api/problem';
import { NotAllowedPage } from './NotAllowed';

/**
 * A list's error state (react-admin's `<List error={<ListProblem />}>`): the API's 403 becomes the not-allowed
 * page in the API's own words; anything else is said in words with a way to try again.
 */
export function ListProblem() {
  const { error, refetch } = useListContext();
  // react-admin may hand the error on as its own HttpError: the status says what happened either way.
  if (statusOf(error) === 403) return <NotAllowedPage reason={messageFor(error)} />;
  return (
    <Box sx={{ mt: 2 }}>
      <Alert
        severity="error"
        role="alert"
        action={
          <Button color="inherit" size="small" onClick={() => void refetch()}>
            Try again
          </Button>
        }
      >
        {messageFor(error)}
      </Alert>
    </Box>
  );
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * A list's query options with ListProblem: the API said no (403, 404, 422…), so asking again will not change its
 * mind and the list says so at once; and no toast, since ListProblem already says it on the page.
 */
export const NO_RETRY_ON_REFUSAL = {
  retry: (failures: number, error: unknown) => (statusOf(error) ?? 500) >= 500 && failures < 2,
  onError: () => undefined,
};

/** A list's pagination, left out while the list shows ListProblem: there is no page to count ("1-25 of 25"). */
export function ListPagination(props: PaginationProps) {
  const { error } = useListContext();
  return error ? null : <Pagination {...props} />;
}

/**
 * react-admin's List with the app's designed states built in: refusals and failures said in words by ListProblem
 * (no retrying what the API refused, no toast), and no page count while there is no page. Every list uses it.
 */
export function ApiList<RecordType extends RaRecord = RaRecord>(props: ListProps<RecordType>) {
  return (
    <List<RecordType>
      error={<ListProblem />}
      queryOptions={NO_RETRY_ON_REFUSAL}
      pagination={<ListPagination />}
      {...props}
    />
  );
}
