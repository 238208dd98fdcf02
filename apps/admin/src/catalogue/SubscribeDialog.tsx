import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Stack,
  TextField,
} from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useNotify, useRedirect } from 'react-admin';
import { api } from '../api/client';
import { messageFor, unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { formatDate } from '../format/date';
import { asPricePlan } from './price-plan-text';
import { QuoteView } from './QuoteView';
import { MY_SUBSCRIPTIONS, type Service } from './resources';
import { firstOfNextMonth, ukToday } from './subscription-text';

type Quote = components['schemas']['QuoteDto'];

interface Terms {
  quantity: string;
  usage: string;
  startDate: string;
  termMonths: string;
  noticePeriodMonths: string;
  purchaseOrderReference: string;
  costCentre: string;
}

const whole = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN);

/**
 * Subscribing in two steps: the price for the chosen quantity first (POST /services/{id}/quote), then the
 * request (POST /subscriptions), which waits for the provider's approval. Changing the quantity or usage asks
 * for the price again, so nobody confirms a price they have not seen.
 */
export function SubscribeDialog({ service, onClose }: { service: Service; onClose: () => void }) {
  const notify = useNotify();
  const redirect = useRedirect();
  const plan = asPricePlan(service.price.plan);
  const metric = plan.model === 'metered' ? plan.metric : null;
  const countsUnits = plan.model !== 'flat_fee' && plan.model !== 'metered';
  const [terms, setTerms] = useState<Terms>({
    quantity: '1',
    usage: '',
    startDate: firstOfNextMonth(ukToday()),
    termMonths: '12',
    noticePeriodMonths: '3',
    purchaseOrderReference: '',
    costCentre: '',
  });
  const [quote, setQuote] = useState<Quote | null>(null);

  const change =
    (field: keyof Terms, clearsQuote = false) =>
    (event: { target: { value: string } }) => {
      setTerms((current) => ({ ...current, [field]: event.target.value }));
      if (clearsQuote) setQuote(null);
    };

  const pricing = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/services/{id}/quote', {
          params: { path: { id: service.id } },
          body: {
            quantity: whole(terms.quantity),
            ...(metric && terms.usage.trim() ? { usage: { [metric]: terms.usage.trim() } } : {}),
          },
        }),
      ),
    onSuccess: setQuote,
  });

  const subscribing = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/subscriptions', {
          body: {
            serviceId: service.id,
            quantity: whole(terms.quantity),
            startDate: terms.startDate,
            termMonths: whole(terms.termMonths),
            noticePeriodMonths: whole(terms.noticePeriodMonths),
            ...(terms.purchaseOrderReference.trim()
              ? { purchaseOrderReference: terms.purchaseOrderReference.trim() }
              : {}),
            ...(terms.costCentre.trim() ? { costCentre: terms.costCentre.trim() } : {}),
          },
        }),
      ),
    onSuccess: (subscription) => {
      notify(
        `Request sent. ${subscription.providerOrganisationName} must approve it before the service starts.`,
        { type: 'success' },
      );
      onClose();
      redirect('show', MY_SUBSCRIPTIONS, subscription.id);
    },
  });

  const error = pricing.error ?? subscribing.error;
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="md" aria-labelledby="subscribe-title">
      <DialogTitle id="subscribe-title">Subscribe to {service.title}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          {service.provider.name} must approve your request before the service starts. You will see the price
          before you confirm.
        </DialogContentText>
        <Stack spacing={2}>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <TextField
              label="Quantity"
              value={terms.quantity}
              onChange={change('quantity', true)}
              inputMode="numeric"
              required
              helperText={
                countsUnits
                  ? `How many ${'unitName' in plan && plan.unitName ? `${plan.unitName}s` : 'units'}`
                  : 'This price does not depend on the quantity'
              }
            />
            {metric ? (
              <TextField
                label={`Expected usage per period (${'unitName' in plan && plan.unitName ? plan.unitName : metric})`}
                value={terms.usage}
                onChange={change('usage', true)}
                inputMode="decimal"
                helperText="Optional: to see what a typical period would cost"
              />
            ) : null}
          </Stack>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <TextField
              label="First day of service"
              type="date"
              value={terms.startDate}
              onChange={change('startDate')}
              required
              slotProps={{ inputLabel: { shrink: true } }}
              helperText={formatDate(terms.startDate)}
            />
            <TextField
              label="Initial term (months)"
              value={terms.termMonths}
              onChange={change('termMonths')}
              inputMode="numeric"
              required
            />
            <TextField
              label="Notice period (months)"
              value={terms.noticePeriodMonths}
              onChange={change('noticePeriodMonths')}
              inputMode="numeric"
              required
            />
          </Stack>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <TextField
              label="Purchase-order reference"
              value={terms.purchaseOrderReference}
              onChange={change('purchaseOrderReference')}
            />
            <TextField label="Cost centre" value={terms.costCentre} onChange={change('costCentre')} />
          </Stack>
          {error ? (
            <Alert severity="error" role="alert">
              {messageFor(error)}
            </Alert>
          ) : null}
          {quote ? <QuoteView quote={quote} /> : null}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="outlined" onClick={() => pricing.mutate()} disabled={pricing.isPending}>
          {quote ? 'Price again' : 'See the price'}
        </Button>
        <Button
          variant="contained"
          onClick={() => subscribing.mutate()}
          disabled={!quote || subscribing.isPending}
        >
          Confirm and send request
        </Button>
      </DialogActions>
    </Dialog>
  );
}
