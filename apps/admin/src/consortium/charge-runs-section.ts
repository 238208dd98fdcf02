/**
 * Takes the administrator to the period page's charge runs (ChargeRuns' section, headed `charge-runs-heading`) and
 * puts the keyboard on its first button, Run charges: from the reconciliation below them, or a refused close.
 */
export function goToChargeRuns(): void {
  const heading = document.getElementById('charge-runs-heading');
  heading?.scrollIntoView({ block: 'start' });
  heading?.closest('section')?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
}
