import ipaddr from 'ipaddr.js';

/**
 * The rules of the sign-in throttle, kept apart from where its counts live. Failed sign-ins are counted per email
 * and client address, and per client address across emails; after so many, each further attempt from there must
 * wait, twice as long each time. Nothing locks an account: the owner signing in from anywhere else is not slowed
 * by someone guessing their password elsewhere.
 */
export interface SignInThrottleRules {
  /** Failures of one email from one address before its next attempt must wait. */
  failuresBeforeDelay: number;
  /** Failures from one address, whatever the emails, before its next attempt must wait. */
  addressFailuresBeforeDelay: number;
  /** The first wait; each failure after it doubles it. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  /** Failures of one account, from anywhere, at which its organisation is told (and again at each doubling). */
  alertAfterFailures: number;
}

/** How long the next attempt must wait after `failures` attempts that did not succeed, with `allowed` free. */
export function signInDelaySeconds(
  failures: number,
  allowed: number,
  rules: Pick<SignInThrottleRules, 'firstDelaySeconds' | 'maxDelaySeconds'>,
): number {
  if (failures < allowed) return 0;
  const doublings = Math.min(failures - allowed, 40);
  return Math.min(rules.maxDelaySeconds, rules.firstDelaySeconds * 2 ** doublings);
}

/** Whether an account's failure count should be reported: at the threshold, then at each doubling of it. */
export function isReportableFailureCount(failures: number, threshold: number): boolean {
  if (failures < threshold || failures % threshold !== 0) return false;
  const multiple = failures / threshold;
  return (multiple & (multiple - 1)) === 0;
}

/**
 * The client address as the throttle counts it: an IPv4 address (also when written IPv4-mapped), or an IPv6
 * address's /64, since one subscriber is handed a whole /64 and could otherwise take a fresh address per guess.
 */
export function throttledAddress(ip: string | null | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return ip || 'unknown';
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${ipaddr.IPv6.parse(`${prefix.map((part) => part.toString(16)).join(':')}::`).toString()}/64`;
}
