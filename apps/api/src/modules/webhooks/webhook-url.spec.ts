import { ProblemException } from '../../common/problem';
import { assertDeliverableUrl } from './webhook-url';

describe('assertDeliverableUrl', () => {
  it('accepts https anywhere', () => {
    expect(assertDeliverableUrl('https://finance.example.gov.uk/hooks', 'production')).toBe(
      'https://finance.example.gov.uk/hooks',
    );
  });

  it('accepts plain http in production only for a receiver on the same machine', () => {
    expect(assertDeliverableUrl('http://localhost:8080/hooks', 'production')).toBe(
      'http://localhost:8080/hooks',
    );
    expect(assertDeliverableUrl('http://127.0.0.1:8080/hooks', 'production')).toBe(
      'http://127.0.0.1:8080/hooks',
    );
    expect(() => assertDeliverableUrl('http://finance.example.gov.uk/hooks', 'production')).toThrow(
      ProblemException,
    );
  });

  it('accepts plain http outside production', () => {
    expect(assertDeliverableUrl('http://receiver.internal/hooks', 'development')).toBe(
      'http://receiver.internal/hooks',
    );
  });

  it('rejects other schemes, relative URLs, URLs carrying credentials and link-local addresses', () => {
    for (const url of [
      'ftp://example.gov.uk/x',
      '/hooks',
      'https://user:pass@example.gov.uk/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://[fe80::1]/hooks',
    ]) {
      expect(() => assertDeliverableUrl(url, 'test')).toThrow(ProblemException);
    }
  });
});
