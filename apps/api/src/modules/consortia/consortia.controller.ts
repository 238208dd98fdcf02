import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ConsortiaService } from './consortia.service';
import {
  ConsortiumDetailDto,
  ConsortiumDirectoryPageDto,
  ConsortiumDirectoryQuery,
  ConsortiumListQuery,
  ConsortiumPageDto,
  CreateConsortiumDto,
  UpdateConsortiumDto,
} from './dto/consortium.dto';

@ApiTags('consortia')
@ApiBearerAuth('bearer')
@Controller('consortia')
export class ConsortiaController {
  constructor(private readonly consortia: ConsortiaService) {}

  /**
   * Consortia your organisation belongs to, has asked to join or is invited to, with its membership status and
   * whether you administer each. Sort by `name` (default) or `createdAt`.
   */
  @ApiSecurity('api-key')
  @Scopes('members:read')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: ConsortiumListQuery): Promise<ConsortiumPageDto> {
    return this.consortia.list(actor, query);
  }

  /** Consortia that accept requests to join: enough to choose one and ask. Sort by `name` (default) or `createdAt`. */
  @ApiSecurity('api-key')
  @Scopes('members:read')
  @Get('directory')
  directory(@Query() query: ConsortiumDirectoryQuery): Promise<ConsortiumDirectoryPageDto> {
    return this.consortia.directory(query);
  }

  /** A consortium you are an active member or an administrator of; any other is not found. */
  @ApiSecurity('api-key')
  @Scopes('members:read')
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ConsortiumDetailDto> {
    return this.consortia.get(actor, id);
  }

  /** Founds a consortium: your organisation becomes its first member and you its administrator. */
  @Roles('org_admin', 'superadmin')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateConsortiumDto): Promise<ConsortiumDetailDto> {
    return this.consortia.create(actor, body);
  }

  /** Changes the consortium's name, description, billing cycle or rules (its administrators only). */
  @Roles('consortium_admin', 'superadmin')
  @Patch(':id')
  update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateConsortiumDto,
  ): Promise<ConsortiumDetailDto> {
    return this.consortia.update(actor, id, body);
  }
}
