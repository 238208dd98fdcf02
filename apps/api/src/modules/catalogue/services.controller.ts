import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CatalogueService } from './catalogue.service';
import { ComplianceService } from './compliance.service';
import { AttestationDto, CreateAttestationDto } from './dto/compliance.dto';
import { PRICE_PLAN_MODELS } from './dto/price-plan.dto';
import {
  CreatePriceVersionDto,
  PriceVersionDto,
  PriceVersionListQuery,
  PriceVersionPageDto,
} from './dto/price-version.dto';
import { QuoteDto, QuoteRequestDto } from './dto/quote.dto';
import {
  CreateServiceDto,
  ServiceDto,
  ServiceListQuery,
  ServicePageDto,
  UpdateServiceDto,
} from './dto/service.dto';
import { PriceVersionsService } from './price-versions.service';

/**
 * The service catalogue. Members read it (API keys with `catalogue:read`); a provider's service managers and
 * administrators change their own organisation's services (keys with `catalogue:write`). A service another
 * organisation provides is 403 to change when you can see it, and 404 when you cannot.
 */
@ApiTags('services')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@ApiExtraModels(...PRICE_PLAN_MODELS)
@Controller('services')
export class ServicesController {
  constructor(
    private readonly catalogue: CatalogueService,
    private readonly prices: PriceVersionsService,
    private readonly compliance: ComplianceService,
  ) {}

  /**
   * Browse and search the published services of your consortia. `q` searches (ranked, English stemming);
   * `mine=true` lists your own organisation's services in every status (drafts included); `status` picks
   * another status. Sort by `relevance` (default when searching, best first), `title` (default otherwise),
   * `createdAt` or `publishedAt`.
   */
  @Scopes('catalogue:read')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: ServiceListQuery): Promise<ServicePageDto> {
    return this.catalogue.list(actor, query);
  }

  /**
   * Lists a new service as a draft, provided by your organisation, which must be an active member of the
   * consortium. Its price plan becomes price version 1, in the consortium's currency.
   */
  @Roles('service_manager', 'org_admin')
  @Scopes('catalogue:write')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateServiceDto): Promise<ServiceDto> {
    return this.catalogue.create(actor, body);
  }

  /**
   * A service with its provider, current price, compliance and capacity in use. Drafts are visible only to
   * their provider; suspended and retired services to their provider, the consortium's administrators and
   * the organisations subscribing to them.
   */
  @Scopes('catalogue:read')
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ServiceDto> {
    return this.catalogue.get(actor, id);
  }

  /**
   * Changes the description, category, service level, capacity, contacts or VAT treatment. Not the price: every
   * price change, for a draft too, appends a version through POST /services/{id}/price-versions. A retired
   * service cannot be changed (409 service-retired); capacity cannot fall below what is in use (409).
   */
  @Roles('service_manager', 'org_admin')
  @Scopes('catalogue:write')
  @Patch(':id')
  update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateServiceDto,
  ): Promise<ServiceDto> {
    return this.catalogue.update(actor, id, body);
  }

  /** Draft → published. Your organisation must still be an active member (409 provider-not-active-member). */
  @Roles('service_manager', 'org_admin')
  @Scopes('catalogue:write')
  @HttpCode(HttpStatus.OK)
  @Post(':id/publish')
  publish(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ServiceDto> {
    return this.catalogue.transition(actor, id, 'publish');
  }

  /** Published → suspended: takes no new subscriptions for now. Any other status is 409 illegal-transition. */
  @Roles('service_manager', 'org_admin')
  @Scopes('catalogue:write')
  @HttpCode(HttpStatus.OK)
  @Post(':id/suspend')
  suspend(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ServiceDto> {
    return this.catalogue.transition(actor, id, 'suspend');
  }

  /** Suspended → published. Your organisation must still be an active member. */
  @Roles('service_manager', 'org_admin')
  @Scopes('catalogue:write')
  @HttpCode(HttpStatus.OK)
  @Post(':id/resume')
  resume(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ServiceDto> {
    return this.catalogue.transition(actor, id, 'resume');
  }

  /** Published or suspended → retired, for good: a retired service is never revived. */
  @Roles('service_manager', 'org_admin')
  @Scopes('catalogue:write')
  @HttpCode(HttpStatus.OK)
  @Post(':id/retire')
  retire(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<ServiceDto> {
    return this.catalogue.transition(actor, id, 'retire');
  }

  /** Every version of the service's price. Sort by `version` (default `-version`, newest first) or `createdAt`. */
  @Scopes('catalogue:read')
  @Get(':id/price-versions')
  priceVersions(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: PriceVersionListQuery,
  ): Promise<PriceVersionPageDto> {
    return this.prices.list(actor, id, query);
  }

  /**
   * Changes the price: appends version n+1, which new subscriptions agree to from now on. Existing subscriptions
   * keep the version they agreed to until they accept the new one; earlier versions are never changed. This is
   * the only way to change a price, whatever the service's status (a retired service takes none: 409).
   */
  @Roles('service_manager', 'org_admin')
  @Scopes('catalogue:write')
  @Post(':id/price-versions')
  changePrice(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CreatePriceVersionDto,
  ): Promise<PriceVersionDto> {
    return this.prices.append(actor, id, body);
  }

  /**
   * Prices a quantity (and, for a metered plan, a period's usage) under the current price version: the charge
   * lines of one full billing period, the one-off set-up fee, and VAT, exactly as the charge run computes them.
   */
  @Scopes('catalogue:read')
  @HttpCode(HttpStatus.OK)
  @Post(':id/quote')
  quote(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: QuoteRequestDto,
  ): Promise<QuoteDto> {
    return this.prices.quote(actor, id, body);
  }

  /** Records a certificate the service holds. */
  @Roles('service_manager', 'org_admin')
  @Scopes('catalogue:write')
  @Post(':id/compliance')
  attest(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CreateAttestationDto,
  ): Promise<AttestationDto> {
    return this.compliance.attest(actor, id, body);
  }

  /** Removes a certificate recorded in error or no longer held. */
  @Roles('service_manager', 'org_admin')
  @Scopes('catalogue:write')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Delete(':id/compliance/:attestationId')
  async removeAttestation(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('attestationId', ParseUUIDPipe) attestationId: string,
  ): Promise<void> {
    await this.compliance.remove(actor, id, attestationId);
  }
}
