import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { validate } from 'class-validator';
import { createValidationPipe, validationProblem, VALIDATOR_OPTIONS } from '../../common/validation';
import { UsageBatchDto } from './dto/usage-event.dto';

/**
 * Validates a usage batch's envelope with the same rules and the same problem as the global validation pipe,
 * without class-transformer copying every event first: the events are checked one by one (and answered one by
 * one) by checkUsageEventShape, so a deep copy of up to 1,000 nested objects would be pure cost.
 * Anything but a plain object goes through the global pipe unchanged.
 */
@Injectable()
export class UsageBatchPipe implements PipeTransform<unknown, Promise<UsageBatchDto>> {
  private readonly fallback = createValidationPipe();

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<UsageBatchDto> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return (await this.fallback.transform(value, {
        ...metadata,
        metatype: UsageBatchDto,
      })) as UsageBatchDto;
    }
    const batch = Object.assign(new UsageBatchDto(), value);
    const errors = await validate(batch, VALIDATOR_OPTIONS);
    if (errors.length > 0) throw validationProblem(errors);
    return batch;
  }
}
