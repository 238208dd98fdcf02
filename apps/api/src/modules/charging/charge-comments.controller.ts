import { type Actor, CurrentActor, Roles, Scopes } from '@consortium/auth';
import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ChargeCommentsService } from './charge-comments.service';
import {
  ChargeCommentListQuery,
  ChargeCommentPageDto,
  CreateChargeCommentDto,
} from './dto/charge-comments.dto';
import { ChargeCommentDto } from './dto/cross-charges.dto';

/** The comment thread of a cross-charge: every review step writes to it, and the people involved talk in it. */
@ApiTags('cross-charges')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('cross-charges')
export class ChargeCommentsController {
  constructor(private readonly comments: ChargeCommentsService) {}

  /** The thread, oldest first. */
  @Scopes('charges:read', 'charges:write')
  @Get(':id/comments')
  list(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ChargeCommentListQuery,
  ): Promise<ChargeCommentPageDto> {
    return this.comments.list(actor, id, query);
  }

  /** Adds a comment (either party's finance team, or a consortium administrator); the other side is told. */
  @Roles('finance', 'org_admin', 'consortium_admin', 'superadmin')
  @Scopes('charges:write')
  @Post(':id/comments')
  create(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CreateChargeCommentDto,
  ): Promise<ChargeCommentDto> {
    return this.comments.create(actor, id, body);
  }
}
