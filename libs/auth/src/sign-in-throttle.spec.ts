import { isReportableFailureCount, signInDelaySeconds, throttledAddress } from './sign-in-throttle';

describe('the sign-in delay', () => {
  const rules = { firstDelaySeconds: 1, maxDelaySeconds: 900 };

  it('is nothing until the allowed failures are used up', () => {
    expect([0, 1, 2, 3, 4].map((failures) => signInDelaySeconds(failures, 5, rules))).toEqual([
      0, 0, 0, 0, 0,
    ]);
  });

  it('then starts at the first delay and doubles with each further failure', () => {
    expect([5, 6, 7, 8, 9].map((failures) => signInDelaySeconds(failures, 5, rules))).toEqual([
      1, 2, 4, 8, 16,
    ]);
    expect(signInDelaySeconds(3, 3, { firstDelaySeconds: 30, maxDelaySeconds: 900 })).toBe(30);
    expect(signInDelaySeconds(4, 3, { firstDelaySeconds: 30, maxDelaySeconds: 900 })).toBe(60);
  });

  it('never exceeds the longest delay, however many failures there were', () => {
    expect(signInDelaySeconds(15, 5, rules)).toBe(900);
    expect(signInDelaySeconds(1_000_000, 5, rules)).toBe(900);
  });
});

describe('reporting an account’s failures', () => {
  it('happens at the threshold and at each doubling of it, never in between', () => {
    const reported = Array.from({ length: 100 }, (_, n) => n + 1).filter((n) =>
      isReportableFailureCount(n, 10),
    );
    expect(reported).toEqual([10, 20, 40, 80]);
  });

  it('works with a threshold of one', () => {
    const reported = Array.from({ length: 20 }, (_, n) => n + 1).filter((n) =>
      isReportableFailureCount(n, 1),
    );
    expect(reported).toEqual([1, 2, 4, 8, 16]);
  });
});

describe('the throttled client address', () => {
  it('is an IPv4 address as it is, also when written IPv4-mapped', () => {
    expect(throttledAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(throttledAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the /64 of an IPv6 address, so one subscriber cannot take a fresh address for each guess', () => {
    expect(throttledAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(throttledAddress('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(throttledAddress('2001:0DB8:0001:0002:0:0:0:99')).toBe('2001:db8:1:2::/64');
    expect(throttledAddress('2001:db8::1')).toBe('2001:db8::/64');
    expect(throttledAddress('::1')).toBe('::/64');
  });

  it('keeps anything else as given, and names a missing address', () => {
    expect(throttledAddress(null)).toBe('unknown');
    expect(throttledAddress('')).toBe('unknown');
    expect(throttledAddress('not-an-address')).toBe('not-an-address');
  });
});
