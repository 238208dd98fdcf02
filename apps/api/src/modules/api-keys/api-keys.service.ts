import { type Actor, type ApiKeyScope, generateApiKey } from '@consortium/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { paginate, type Page, type PageQuery, type SortSpec } from '../../common/pagination';
import { notFound } from '../../common/problem';
import { AuditService, diff } from '../audit/audit.service';
import { User } from '../users/user.entity';
import { ApiKey } from './api-key.entity';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

const API_KEY_SORT: SortSpec = {
  fields: { name: 'k.name', createdAt: 'k.created_at' },
  default: '-createdAt',
  tieBreaker: 'k.id',
};

/** An organisation's API keys: the secret is shown once at creation and only its hash is kept. */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(actor: Actor, query: PageQuery): Promise<Page<ApiKeyDto>> {
    const keys = this.dataSource
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .where('k.organisation_id = :organisationId', { organisationId: actor.organisationId });
    const page = await paginate(keys, query, API_KEY_SORT, (key) => key);
    return { data: await this.toDtos(page.data), page: page.page };
  }

  async create(actor: Actor, dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { key, prefix, secretHash } = generateApiKey();
    return this.dataSource.transaction(async (manager) => {
      const apiKey = await manager.save(
        manager.create(ApiKey, {
          organisationId: actor.organisationId,
          name: dto.name,
          prefix,
          secretHash,
          scopes: dto.scopes,
          createdByUserId: actor.id,
          expiresAt: dto.expiresAt ?? null,
          lastUsedAt: null,
          revokedAt: null,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: apiKey.id,
        changes: { name: apiKey.name, prefix, scopes: apiKey.scopes, expiresAt: apiKey.expiresAt },
      });
      const [created] = await this.toDtos([apiKey], manager.getRepository(User));
      return { ...created, key };
    });
  }

  /** Revoking is idempotent: a key already revoked stays as it was and no second event is written. */
  async revoke(actor: Actor, id: string): Promise<ApiKeyDto> {
    return this.dataSource.transaction(async (manager) => {
      const apiKey = await manager
        .getRepository(ApiKey)
        .createQueryBuilder('k')
        .setLock('pessimistic_write')
        .where('k.id = :id AND k.organisation_id = :organisationId', {
          id,
          organisationId: actor.organisationId,
        })
        .getOne();
      if (!apiKey) throw notFound('API key');
      if (!apiKey.revokedAt) {
        const revokedAt = new Date();
        await manager.update(ApiKey, { id: apiKey.id }, { revokedAt });
        await this.audit.record(manager, actor, {
          action: 'api_key.revoked',
          entityType: 'api_key',
          entityId: apiKey.id,
          changes: diff(apiKey, { revokedAt }),
        });
        apiKey.revokedAt = revokedAt;
      }
      const [revoked] = await this.toDtos([apiKey], manager.getRepository(User));
      return revoked;
    });
  }

  /** Maps keys to DTOs, loading their creators in one query. */
  private async toDtos(keys: ApiKey[], users = this.dataSource.getRepository(User)): Promise<ApiKeyDto[]> {
    const creatorIds = [
      ...new Set(keys.flatMap((key) => (key.createdByUserId ? [key.createdByUserId] : []))),
    ];
    const creators = creatorIds.length
      ? await users.find({ select: { id: true, name: true, email: true }, where: { id: In(creatorIds) } })
      : [];
    const byId = new Map(
      creators.map((user) => [user.id, { id: user.id, name: user.name, email: user.email }]),
    );
    return keys.map((key) => ({
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes as ApiKeyScope[],
      createdAt: key.createdAt,
      lastUsedAt: key.lastUsedAt,
      revokedAt: key.revokedAt,
      expiresAt: key.expiresAt,
      createdBy: (key.createdByUserId && byId.get(key.createdByUserId)) || null,
    }));
  }
}
