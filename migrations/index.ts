import { Foundation1795539564081 } from './1795539564081-Foundation';

/** Every migration in order. Listed explicitly so the bundled API carries them. */
export const MIGRATIONS = [Foundation1795539564081];
