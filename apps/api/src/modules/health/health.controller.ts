import { Public } from '@consortium/auth';
import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ProblemException } from '../../common/problem';
import { NoRateLimit } from '../rate-limits/no-rate-limit.decorator';

export class HealthStatus {
  /** `ok` when the check passed. */
  status!: 'ok';
}

@ApiTags('health')
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  /** Liveness: the process is up and answering. */
  @Get()
  live(): HealthStatus {
    return { status: 'ok' };
  }

  /** Readiness: the database answers. */
  @Get('ready')
  async ready(): Promise<HealthStatus> {
    try {
      await this.dataSource.query('SELECT 1');
      return { status: 'ok' };
    } catch {
      throw new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'unavailable',
        'The database is not answering',
      );
    }
  }
}
