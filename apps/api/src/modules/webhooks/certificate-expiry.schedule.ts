import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ukToday } from '../catalogue/compliance-status';
import { ComplianceExpiryService } from '../notifications/compliance-expiry.service';

/**
 * Runs the certificate expiry check (which emits `certificate.expiring`) for every consortium once per UK day,
 * without anyone having to press the button. An advisory lock per consortium and the day's audit event make it
 * run once however many instances try; the check itself notifies nobody twice anyway.
 */
@Injectable()
export class CertificateExpirySchedule {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly expiry: ComplianceExpiryService,
  ) {}

  /** Checks every consortium (or just those given) not yet checked today; returns those it checked now. */
  async runDueChecks(today: string = ukToday(), only?: string[]): Promise<string[]> {
    const consortia =
      only ??
      ((await this.dataSource.query('SELECT id FROM consortia ORDER BY id')) as { id: string }[]).map(
        (c) => c.id,
      );
    const checked: string[] = [];
    for (const id of consortia) {
      const ran = await this.dataSource.transaction(async (manager) => {
        const [{ locked }] = (await manager.query(
          "SELECT pg_try_advisory_xact_lock(hashtext('certificate-expiry:' || $1)) AS locked",
          [id],
        )) as { locked: boolean }[];
        if (!locked) return false;
        const done = (await manager.query(
          `SELECT 1 FROM audit_events
            WHERE entity_type = 'consortium' AND entity_id = $1 AND action = 'compliance.expiry_check_run' AND actor_type = 'system'
              AND changes->>'checkedOn' = $2 LIMIT 1`,
          [id, today],
        )) as unknown[];
        if (done.length > 0) return false;
        await this.expiry.notifyExpiringWithin(manager, 'system', id, today);
        return true;
      });
      if (ran) checked.push(id);
    }
    return checked;
  }
}
