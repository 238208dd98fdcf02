import { type Actor, CurrentActor, LocalAuthGuard, Public, RequestId, Scopes } from '@consortium/auth';
import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { LoginDto, MeDto, RefreshDto, TokenPairDto } from './dto/auth.dto';
import { NoRateLimit } from '../rate-limits/no-rate-limit.decorator';
import { TokenService } from './token.service';
import { ValidateBodyGuard } from './validate-body.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly tokens: TokenService) {}

  /**
   * Sign in with email and password. After repeated failures for an email from one address (or from one address),
   * each further attempt from there must wait longer: it is refused with a 429 naming when to try again
   * (`Retry-After`, `notBefore`). The same email signs in from elsewhere as usual: no account is locked.
   */
  @Public()
  @NoRateLimit()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @UseGuards(new ValidateBodyGuard(LoginDto), LocalAuthGuard)
  login(@Body() _credentials: LoginDto, @CurrentActor() actor: Actor): Promise<TokenPairDto> {
    return this.tokens.issueForLogin(actor);
  }

  /**
   * Exchange a refresh token for a new pair. Each refresh token works once: presenting a used one ends the session,
   * except within a few seconds of its use (a retry, a second tab), when it gets the same new refresh token again.
   */
  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.tokens.refresh(body.refreshToken);
  }

  /** Sign out: ends the session, so its refresh tokens and its access tokens stop working at once. */
  @Public()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logout(@Body() body: RefreshDto, @RequestId() requestId: string): Promise<void> {
    await this.tokens.revoke(body.refreshToken, requestId);
  }

  /** Who the caller is: roles, organisation and consortia. */
  @ApiBearerAuth('bearer')
  @ApiSecurity('api-key')
  @Scopes()
  @Get('me')
  me(@CurrentActor() actor: Actor): MeDto {
    const { requestId: _requestId, ...me } = actor;
    return me;
  }
}
