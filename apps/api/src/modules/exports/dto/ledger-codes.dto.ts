import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { LEDGER_CODE_MATCHES, type LedgerCodeMatch } from '../ledger-code-mapping.entity';

/**
 * Codes as finance systems take them: letters, digits, spaces and `. _ / -`, starting with a letter or digit
 * (so no cell of the export can start a spreadsheet formula).
 */
const CODE = /^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/;
const CODE_MESSAGE = 'must start with a letter or digit and hold only letters, digits, spaces and . _ / -';

export class LedgerCodeMappingDto {
  /**
   * What the rule matches. For the member's own marketplace account (the control side of each posting):
   * `account_kind` (`receivable` or `payable`). For the other side, first match wins: `entry_kind` (`charge`,
   * `credit_note`, `settlement` or `reversal`; e.g. settlement payments to the bank account), `service_category`
   * (income or expenditure by service), then `counterparty` (the other organisation's id). `default` codes whatever
   * no rule matches.
   */
  @IsIn(LEDGER_CODE_MATCHES)
  match!: LedgerCodeMatch;

  /** The account kind, service category or counterparty organisation id; leave out (or empty) for `default`. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  value?: string;

  /** The cost centre in your finance system, e.g. `ICT01`. */
  @IsString()
  @MaxLength(40)
  @Matches(CODE, { message: `costCentre ${CODE_MESSAGE}` })
  costCentre!: string;

  /** The ledger (nominal) code in your finance system, e.g. `4410`. */
  @IsString()
  @MaxLength(40)
  @Matches(CODE, { message: `ledgerCode ${CODE_MESSAGE}` })
  ledgerCode!: string;
}

/** An organisation's whole set of ledger code rules. */
export class LedgerCodesDto {
  /** Every rule, ordered by `match` then `value`. */
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => LedgerCodeMappingDto)
  mappings!: LedgerCodeMappingDto[];
}
