import { type Actor, CurrentActor, Roles } from '@consortium/auth';
import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CreateUserDto, UpdateUserDto, UserDto, UserListQuery, UserPageDto } from './dto/user.dto';
import { UsersService } from './users.service';

/** An organisation's users, managed by its administrators. Closed to API keys (no @Scopes). */
@ApiTags('users')
@ApiBearerAuth('bearer')
@Roles('org_admin', 'superadmin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Your organisation's users. Sort by `name` (default), `email` or `createdAt`. */
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: UserListQuery): Promise<UserPageDto> {
    return this.users.list(actor, query);
  }

  /** One of your organisation's users. */
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<UserDto> {
    return this.users.get(actor, id);
  }

  /** Adds a user to your organisation. The email must be new to the platform (409 otherwise). */
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(actor, body);
  }

  /**
   * Renames a user, changes their roles, or disables them (which also ends their sessions). You cannot disable
   * yourself or give up your own org_admin role (409).
   */
  @Patch(':id')
  update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
  ): Promise<UserDto> {
    return this.users.update(actor, id, body);
  }
}
