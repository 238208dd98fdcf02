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
import {
  InvitationDto,
  JoinRequestDto,
  MemberDto,
  MemberListQuery,
  MemberPageDto,
  MembershipDecisionDto,
} from './dto/membership.dto';
import { MembershipsService } from './memberships.service';

/**
 * Joining and leaving a consortium. Requests are decided by the consortium's administrators, invitations by the
 * invited organisation's administrators. A change the current status does not allow is a 409 conflict.
 */
@ApiTags('memberships')
@ApiBearerAuth('bearer')
@Controller('consortia/:id')
export class MembershipsController {
  constructor(private readonly memberships: MembershipsService) {}

  /**
   * The consortium's members. Members see active and suspended members; administrators see every membership,
   * requests and invitations included. Sort by `name` (default), `createdAt` or `updatedAt`.
   */
  @ApiSecurity('api-key')
  @Scopes('members:read')
  @Get('members')
  list(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: MemberListQuery,
  ): Promise<MemberPageDto> {
    return this.memberships.list(actor, id, query);
  }

  /** Asks for your organisation to join. The consortium must accept requests (422 otherwise). */
  @Roles('org_admin')
  @Post('join-requests')
  requestToJoin(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: JoinRequestDto,
  ): Promise<MemberDto> {
    return this.memberships.requestToJoin(actor, id, body.note);
  }

  /** Invites an organisation to join (the consortium's administrators). */
  @Roles('consortium_admin', 'superadmin')
  @Post('invitations')
  invite(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: InvitationDto,
  ): Promise<MemberDto> {
    return this.memberships.invite(actor, id, body.organisationId, body.note);
  }

  /** Admits an organisation that asked to join (the consortium's administrators). */
  @Roles('consortium_admin', 'superadmin')
  @Post('members/:organisationId/approve')
  @HttpCode(HttpStatus.OK)
  approve(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('organisationId', ParseUUIDPipe) organisationId: string,
    @Body() body: MembershipDecisionDto,
  ): Promise<MemberDto> {
    return this.memberships.decide(actor, id, organisationId, 'approve', body.reason);
  }

  /** Turns down a request to join (the consortium's administrators). */
  @Roles('consortium_admin', 'superadmin')
  @Post('members/:organisationId/reject')
  @HttpCode(HttpStatus.OK)
  reject(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('organisationId', ParseUUIDPipe) organisationId: string,
    @Body() body: MembershipDecisionDto,
  ): Promise<MemberDto> {
    return this.memberships.decide(actor, id, organisationId, 'reject', body.reason);
  }

  /** Suspends an active member (the consortium's administrators). */
  @Roles('consortium_admin', 'superadmin')
  @Post('members/:organisationId/suspend')
  @HttpCode(HttpStatus.OK)
  suspend(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('organisationId', ParseUUIDPipe) organisationId: string,
    @Body() body: MembershipDecisionDto,
  ): Promise<MemberDto> {
    return this.memberships.decide(actor, id, organisationId, 'suspend', body.reason);
  }

  /** Lifts a suspension (the consortium's administrators). */
  @Roles('consortium_admin', 'superadmin')
  @Post('members/:organisationId/reinstate')
  @HttpCode(HttpStatus.OK)
  reinstate(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('organisationId', ParseUUIDPipe) organisationId: string,
    @Body() body: MembershipDecisionDto,
  ): Promise<MemberDto> {
    return this.memberships.decide(actor, id, organisationId, 'reinstate', body.reason);
  }

  /** Accepts an invitation for your organisation (its administrators). */
  @Roles('org_admin')
  @Post('members/:organisationId/accept')
  @HttpCode(HttpStatus.OK)
  accept(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('organisationId', ParseUUIDPipe) organisationId: string,
    @Body() body: MembershipDecisionDto,
  ): Promise<MemberDto> {
    return this.memberships.decide(actor, id, organisationId, 'accept', body.reason);
  }

  /** Declines an invitation for your organisation (its administrators). */
  @Roles('org_admin')
  @Post('members/:organisationId/decline')
  @HttpCode(HttpStatus.OK)
  decline(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('organisationId', ParseUUIDPipe) organisationId: string,
    @Body() body: MembershipDecisionDto,
  ): Promise<MemberDto> {
    return this.memberships.decide(actor, id, organisationId, 'decline', body.reason);
  }

  /**
   * Takes your organisation out of the consortium (its administrators). Its users stop administering the
   * consortium; if they are its only administrators, appoint another first (409).
   */
  @Roles('org_admin')
  @Post('members/:organisationId/leave')
  @HttpCode(HttpStatus.OK)
  leave(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('organisationId', ParseUUIDPipe) organisationId: string,
    @Body() body: MembershipDecisionDto,
  ): Promise<MemberDto> {
    return this.memberships.decide(actor, id, organisationId, 'leave', body.reason);
  }
}
