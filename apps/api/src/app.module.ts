import { AuthorisationGuard } from '@consortium/auth';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { RUNTIME_CONFIG, RuntimeConfig } from './config/runtime-config';
import { dataSourceOptions } from './database/data-source-options';
import { JobsModule } from './jobs/jobs.module';
import { ApiKeysModule } from './modules/api-keys/api-keys.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { BillingPeriodsModule } from './modules/billing-periods/billing-periods.module';
import { CatalogueModule } from './modules/catalogue/catalogue.module';
import { ChargeRunsModule } from './modules/charging/charge-runs.module';
import { FinanceReviewModule } from './modules/charging/finance-review.module';
import { ConsortiaModule } from './modules/consortia/consortia.module';
import { ExportsModule } from './modules/exports/exports.module';
import { HealthController } from './modules/health/health.controller';
import { LedgerModule } from './modules/ledger/ledger.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { OrganisationsModule } from './modules/organisations/organisations.module';
import { RateLimitGuard } from './modules/rate-limits/rate-limit.guard';
import { RateLimitedAuthenticationGuard } from './modules/rate-limits/rate-limited-authentication.guard';
import { RateLimitsModule } from './modules/rate-limits/rate-limits.module';
import { ReconciliationModule } from './modules/reconciliation/reconciliation.module';
import { StatementsModule } from './modules/statements/statements.module';
import { SettlementModule } from './modules/settlement/settlement.module';
import { SubscriptionsModule } from './modules/subscriptions/subscriptions.module';
import { UsageModule } from './modules/usage/usage.module';
import { UsersModule } from './modules/users/users.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: RuntimeConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.env.LOG_LEVEL,
            genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? randomUUID(),
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
            autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/api/v1/health') },
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)),
        MetricsModule,
        JobsModule,
        AuditModule,
        AuthModule,
        UsersModule,
        ApiKeysModule,
        OrganisationsModule,
        ConsortiaModule,
        CatalogueModule,
        NotificationsModule,
        SubscriptionsModule,
        UsageModule,
        ChargeRunsModule,
        BillingPeriodsModule,
        LedgerModule,
        SettlementModule,
        ReconciliationModule,
        FinanceReviewModule,
        StatementsModule,
        WebhooksModule,
        RateLimitsModule,
        ExportsModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: RUNTIME_CONFIG, useValue: config },
        { provide: APP_GUARD, useExisting: RateLimitedAuthenticationGuard },
        // Between the two: it needs the actor, and refused calls count against the limit too.
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_GUARD, useClass: AuthorisationGuard },
      ],
      exports: [RUNTIME_CONFIG],
    };
  }
}
