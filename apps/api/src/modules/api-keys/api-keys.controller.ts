import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, ApiKeyPageDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

/**
 * Your organisation's API keys, managed by its administrators. A key may list its organisation's keys
 * (`organisation:read`) but never create or revoke one (no @Scopes there).
 */
@ApiTags('api-keys')
@ApiBearerAuth('bearer')
@Roles('org_admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** Your organisation's keys, revoked and expired ones included; never their secrets. Sort by `createdAt` (default `-createdAt`) or `name`. */
  @ApiSecurity('api-key')
  @Scopes('organisation:read')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: PageQuery): Promise<ApiKeyPageDto> {
    return this.apiKeys.list(actor, query);
  }

  /** Creates a key. The response is the only time the whole key (`key`) is shown. */
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(actor, body);
  }

  /** Revokes a key at once. Revoking a revoked key changes nothing. */
  @Post(':id/revoke')
  @HttpCode(HttpStatus.OK)
  revoke(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ApiKeyDto> {
    return this.apiKeys.revoke(actor, id);
  }
}
