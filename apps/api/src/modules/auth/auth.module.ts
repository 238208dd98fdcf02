import {
  accessTokenKey,
  ACTOR_DIRECTORY,
  ApiKeyStrategy,
  AUTH_OPTIONS,
  AuthOptions,
  JwtStrategy,
  LocalStrategy,
} from '@consortium/auth';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { RUNTIME_CONFIG, RuntimeConfig } from '../../config/runtime-config';
import { NotificationsModule } from '../notifications/notifications.module';
import { ActorDirectoryService } from './actor-directory.service';
import { AuthController } from './auth.controller';
import { SignInThrottleService } from './sign-in-throttle.service';
import { TokenService } from './token.service';

@Module({
  imports: [
    PassportModule,
    NotificationsModule,
    JwtModule.registerAsync({
      inject: [RUNTIME_CONFIG],
      useFactory: (config: RuntimeConfig) => ({
        secret: accessTokenKey(config.jwtSecret),
        signOptions: { algorithm: 'HS256' },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    { provide: ACTOR_DIRECTORY, useClass: ActorDirectoryService },
    {
      provide: AUTH_OPTIONS,
      inject: [RUNTIME_CONFIG],
      useFactory: (config: RuntimeConfig): AuthOptions => ({
        jwtKey: accessTokenKey(config.jwtSecret),
        accessTokenTtlSeconds: config.env.ACCESS_TOKEN_TTL_SECONDS,
      }),
    },
    JwtStrategy,
    ApiKeyStrategy,
    LocalStrategy,
    TokenService,
    SignInThrottleService,
  ],
  exports: [TokenService],
})
export class AuthModule {}
