import { IsIn, IsOptional } from 'class-validator';

export class FinanceExportQuery {
  /** Only `csv` for now (the default). */
  @IsOptional()
  @IsIn(['csv'])
  format?: 'csv';
}
