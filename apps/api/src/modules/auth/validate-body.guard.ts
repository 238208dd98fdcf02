import { CanActivate, ExecutionContext, Type } from '@nestjs/common';
import { createValidationPipe } from '../../common/validation';

/**
 * Guards run before pipes, so a guard that reads the body (passport-local on sign-in) would see unvalidated input.
 * This runs the same validation pipe first, so a malformed sign-in is a 400 problem, not a failed login.
 */
export class ValidateBodyGuard implements CanActivate {
  private readonly pipe = createValidationPipe();

  constructor(private readonly dto: Type<object>) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ body: unknown }>();
    await this.pipe.transform(request.body ?? {}, { type: 'body', metatype: this.dto });
    return true;
  }
}
