import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';

interface LatestVerification {
  ok: boolean;
  differences: number;
  finished: number;
}

/**
 * The last `verify-ledger` result on the API's registry, read from ledger_verifications when Prometheus scrapes:
 * whether it found nothing wrong (0 until a first run), when it finished (0: never) and how many differences.
 */
@Injectable()
export class LedgerVerificationMetrics {
  constructor(metrics: MetricsService, @InjectDataSource() dataSource: DataSource) {
    const latest = async (): Promise<LatestVerification | undefined> =>
      (
        (await dataSource.query(
          `SELECT ok, differences, extract(epoch FROM finished_at)::float8 AS finished
             FROM ledger_verifications ORDER BY finished_at DESC LIMIT 1`,
        )) as LatestVerification[]
      )[0];
    const gauge = (name: string, help: string, read: (row: LatestVerification | undefined) => number) =>
      new Gauge({
        name,
        help,
        registers: [metrics.registry],
        async collect() {
          this.set(read(await latest()));
        },
      });
    gauge(
      'consortium_ledger_verified_ok',
      'Whether the last verify-ledger found the balances, entries and hash chains as they should be (1), or not (0; also before any run)',
      (row) => (row?.ok ? 1 : 0),
    );
    gauge(
      'consortium_ledger_verified_timestamp_seconds',
      'When the last verify-ledger finished, in seconds since the epoch (0: never)',
      (row) => row?.finished ?? 0,
    );
    gauge(
      'consortium_ledger_verified_differences',
      'Differences the last verify-ledger found',
      (row) => row?.differences ?? 0,
    );
  }
}
