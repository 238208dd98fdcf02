import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { PageInfo, PageQuery } from '../../../common/pagination';
import { ChargeCommentDto } from './cross-charges.dto';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateChargeCommentDto {
  @ApiProperty({
    example: 'Purchase order 4500123 covers this; payment goes out with the quarter’s settlement.',
  })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  body!: string;
}

/** Oldest first by default (`sort=-createdAt` for newest first). */
export class ChargeCommentListQuery extends PageQuery {}

export class ChargeCommentPageDto {
  data!: ChargeCommentDto[];
  page!: PageInfo;
}
