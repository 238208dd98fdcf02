/** What one run of the certificate-expiry check found and whom it told. */
export class ComplianceExpiryRunDto {
  /** The date the check ran for (UK date). */
  checkedOn!: string;
  /** Certificates of the consortium's services expiring within 30 days. */
  expiring!: number;
  /** Certificates that have already expired. */
  expired!: number;
  /** Notifications written by this run (one per certificate and expiry date, ever). */
  notified!: number;
  /** Certificates whose providers an earlier run already told. */
  alreadyNotified!: number;
}
