import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  CreatedOrganisationDto,
  CreateOrganisationDto,
  OrganisationDto,
  OrganisationListQuery,
  OrganisationPageDto,
  UpdateOrganisationDto,
} from './dto/organisation.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@ApiBearerAuth('bearer')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  /**
   * Your organisation and the organisations you share a consortium with (a superadmin sees all).
   * Sort by `name` (default) or `createdAt`.
   */
  @ApiSecurity('api-key')
  @Scopes('organisation:read', 'members:read')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: OrganisationListQuery): Promise<OrganisationPageDto> {
    return this.organisations.list(actor, query);
  }

  /** One organisation you can see; any other is not found. */
  @ApiSecurity('api-key')
  @Scopes('organisation:read', 'members:read')
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<OrganisationDto> {
    return this.organisations.get(actor, id);
  }

  /**
   * Changes your organisation's name, region or contact details (its administrators only).
   * Only a superadmin may change the type.
   */
  @Roles('org_admin', 'superadmin')
  @Patch(':id')
  update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateOrganisationDto,
  ): Promise<OrganisationDto> {
    return this.organisations.update(actor, id, body);
  }

  /** Registers an organisation and its first administrator (superadmins only). */
  @Roles('superadmin')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateOrganisationDto): Promise<CreatedOrganisationDto> {
    return this.organisations.create(actor, body);
  }
}
