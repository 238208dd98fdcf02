import { type Actor, CurrentActor, Roles } from '@consortium/auth';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ConsortiumAdminsService } from './consortium-admins.service';
import {
  AddConsortiumAdminDto,
  ConsortiumAdminDto,
  ConsortiumAdminListQuery,
  ConsortiumAdminPageDto,
} from './dto/consortium-admin.dto';

/** A consortium's administrators, managed by its administrators. Closed to API keys. */
@ApiTags('consortia')
@ApiBearerAuth('bearer')
@Roles('consortium_admin', 'superadmin')
@Controller('consortia/:id/admins')
export class ConsortiumAdminsController {
  constructor(private readonly admins: ConsortiumAdminsService) {}

  /** The consortium's administrators. Sort by `name` (default) or `email`. */
  @Get()
  list(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ConsortiumAdminListQuery,
  ): Promise<ConsortiumAdminPageDto> {
    return this.admins.list(actor, id, query);
  }

  /** Appoints a user of an active member organisation as an administrator. */
  @Post()
  add(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AddConsortiumAdminDto,
  ): Promise<ConsortiumAdminDto> {
    return this.admins.add(actor, id, body);
  }

  /** Removes an administrator. The last one cannot be removed (409). */
  @Delete(':userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('userId', ParseUUIDPipe) userId: string,
  ): Promise<void> {
    return this.admins.remove(actor, id, userId);
  }
}
